import { LpcvError } from '../../errors/lpcv-error.js';
import { OnnxProcess } from '../../devices/desktop/onnx-process.js';
import { desktopTargetInfo } from '../../devices/desktop/target-info.js';
import { classificationReport } from '../../scoring/classification.js';
import { SegmentationAccumulator, type SegmentationScores } from '../../scoring/segmentation.js';
import { latencyStats } from '../../scoring/latency-stats.js';
import { computeScore } from '../../scoring/formulas/registry.js';
import { openInputs, loadLabels } from '../datasets/open-split.js';
import { toInputTensor } from '../preprocess/to-tensor.js';
import { assertValid, validateModel } from '../validate/validate-model.js';
import type { Track } from '../tracks/track.js';
import type { RawSamples, ResultRecord } from '../result-record.js';
import type { InferOutput, Postprocess } from '../../devices/desktop/worker-protocol.js';

export interface ScoreOptions {
  modelPath: string;
  track: Track;
  split: string;
  /** Intra-op threads; the track's protocol.threads by default. */
  threads?: number;
  /** Exactly this many timed runs (overrides the track's minimum count and duration). */
  runs?: number;
  warmup?: number;
  timeoutMs?: number;
  /** `fraction` in [0, 1] of the phase; `done` images or runs, `total` the planned (or minimum) count. */
  onProgress?: (p: { phase: 'accuracy' | 'warmup' | 'latency'; done: number; total: number; fraction: number }) => void;
}

export interface ScoreOutcome {
  record: ResultRecord;
  raw: RawSamples;
  perClass: unknown[];
  warnings: string[];
  /** Classification: each image's five best classes, best first (written out by `--predictions`). */
  predictions: { ids: readonly string[]; topk: number[][] } | null;
}

/** Input tensors sent to the inference process in one message: at most this many bytes or images. */
const CHUNK_BYTES = 8 * 1024 * 1024;
const CHUNK_IMAGES = 250;
/** Inputs the latency pass cycles through: at most this many, and at most this many bytes. */
const LATENCY_POOL_MAX = 256;
const LATENCY_POOL_BYTES = 64 * 1024 * 1024;

export const ENERGY_NOTE_DESKTOP = 'the desktop target has no power sensor that the harness can read';

/**
 * `lpcv score`: validate the model against the track, run the accuracy pass over the whole split and the
 * latency pass (warm-up, then timed runs until the minimum count and duration are both reached) in an
 * inference child process, then score with the track's metrics and formula. Labels are read only after
 * the inference process has exited: the process that runs the model never has them.
 */
export async function runScore(opts: ScoreOptions): Promise<ScoreOutcome> {
  const { track, split } = opts;
  const startedAt = new Date().toISOString();
  const report = validateModel(opts.modelPath, track);
  assertValid(report);
  if (track.task === 'detection') {
    throw new LpcvError('LPCV_E_USAGE', 'lpcv score runs classification and segmentation models; for detection, run the model on the device and use lpcv evaluate on its COCO results file');
  }
  const threads = opts.threads ?? track.protocol.threads;
  const protocol = {
    warmupRuns: opts.warmup ?? track.protocol.warmupRuns,
    minRuns: opts.runs ?? track.protocol.minRuns,
    minDurationMs: opts.runs !== undefined ? 0 : track.protocol.minDurationMs,
    maxRuns: opts.runs ?? track.protocol.maxRuns ?? Number.MAX_SAFE_INTEGER,
  };
  const spec = track.input;
  const shape = [...spec.shape];
  const inputs = await openInputs(track, split);
  const total = inputs.ids.length;

  const proc = await OnnxProcess.start({
    timeoutMs: opts.timeoutMs ?? track.limits.runTimeoutMs,
    onProgress: (p) => {
      if (p.phase === 'warmup') return opts.onProgress?.({ phase: 'warmup', done: p.done, total: protocol.warmupRuns, fraction: 1 });
      // Timing ends when both the minimum count and the minimum duration are reached.
      const byCount = p.done / protocol.minRuns;
      const byTime = protocol.minDurationMs > 0 ? p.elapsedMs / protocol.minDurationMs : 1;
      opts.onProgress?.({ phase: 'latency', done: p.done, total: protocol.minRuns, fraction: Math.min(1, byCount, byTime) });
    },
  });
  const preprocessMs: number[] = [];
  const accuracyMs: number[] = [];
  const pool: (Float32Array | Uint8Array)[] = [];
  let poolBytes = 0;
  const topk: number[][] = [];
  const maps: { data: ArrayLike<number>; width: number; height: number }[] = [];
  let info;
  let latency;
  try {
    info = await proc.load(report.model.path, threads, report.input!.name, report.output?.name);
    const postprocess = postprocessFor(track);
    let chunk: (Float32Array | Uint8Array)[] = [];
    let chunkBytes = 0;
    let chunkStart = 0;
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return;
      const res = await proc.infer(chunk, shape, spec.dtype, postprocess);
      if ('nonFinite' in res) {
        const id = inputs.ids[chunkStart + res.nonFinite];
        throw new LpcvError('LPCV_E_MODEL_OUTPUT_NAN', `the model produced NaN or infinite outputs (first on image ${id})`);
      }
      if ('badOutput' in res) throw new LpcvError('LPCV_E_MODEL_OUTPUT_SHAPE', `at run time: ${res.badOutput}`);
      collect(res.output, topk, maps);
      accuracyMs.push(...res.inferMs);
      chunkStart += chunk.length;
      chunk = [];
      chunkBytes = 0;
      opts.onProgress?.({ phase: 'accuracy', done: chunkStart, total, fraction: chunkStart / total });
    };
    for (let i = 0; i < total; i++) {
      const t0 = process.hrtime.bigint();
      const img = await inputs.read(i);
      const tensor = await toInputTensor(img, spec);
      preprocessMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      chunk.push(tensor);
      chunkBytes += tensor.byteLength;
      if (pool.length < LATENCY_POOL_MAX && poolBytes + tensor.byteLength <= LATENCY_POOL_BYTES) {
        pool.push(tensor);
        poolBytes += tensor.byteLength;
      }
      if (chunkBytes >= CHUNK_BYTES || chunk.length >= CHUNK_IMAGES) await flush();
    }
    await flush();
    latency = await proc.latency({ inputs: pool, shape, dtype: spec.dtype, ...protocol });
  } finally {
    await proc.close();
  }

  const labels = await loadLabels(track, split);
  const accuracy: Record<string, number> = {};
  let perClass: unknown[] = [];
  if (labels.task === 'classification') {
    const numClasses = track.output.numClasses ?? track.classes.length;
    const rep = classificationReport(topk, labels.labels, numClasses);
    for (const m of track.metrics) if (m === 'top1' || m === 'top5') accuracy[m] = rep[m];
    accuracy.top1 ??= rep.top1;
    perClass = rep.perClass.map((c) => ({ ...c, name: track.classes[c.classIndex] }));
  } else if (labels.task === 'segmentation') {
    const seg = await segmentationScoresOf(maps, labels, track.classes.length);
    accuracy.miou = seg.miou;
    accuracy.mdice = seg.mdice;
    perClass = seg.perClass.map((c) => ({ ...c, name: track.classes[c.classIndex] }));
  }

  const latencyStatsMs = latencyStats(latency.samplesMs);
  const score = computeScore(track.score.formula, track.score.version, { accuracy, latency: latencyStatsMs, energyJoules: null }, track.score.params);
  const record: ResultRecord = {
    track: track.name,
    split,
    model: { path: report.model.path, sha256: report.model.sha256, bytes: report.model.bytes, format: 'onnx' },
    target: desktopTargetInfo(info.runtime, threads),
    accuracy,
    latency: latencyStatsMs,
    preprocess: preprocessMs.length > 0 ? latencyStats(preprocessMs) : null,
    energy: null,
    energyNote: ENERGY_NOTE_DESKTOP,
    score: { formula: score.formula, version: score.version, value: score.value, qualified: score.qualified, ...(score.reason ? { reason: score.reason } : {}) },
    protocol: {
      warmupRuns: protocol.warmupRuns,
      minRuns: protocol.minRuns,
      minDurationMs: protocol.minDurationMs,
      timedRuns: latency.samplesMs.length,
      accuracyImages: total,
    },
    startedAt,
    finishedAt: new Date().toISOString(),
  };
  return {
    record,
    raw: { latencyMs: latency.samplesMs, warmupMs: latency.warmupMs, preprocessMs, power: [] },
    perClass,
    warnings: report.warnings,
    predictions: track.task === 'classification' ? { ids: inputs.ids, topk } : null,
  };
}

/** What the inference process keeps of each output, with the shape the track demands of it. */
function postprocessFor(track: Track): Postprocess {
  if (track.task === 'classification') return { kind: 'topk', k: 5, classes: track.output.numClasses ?? track.classes.length };
  const s = track.input.shape;
  const [height, width] = track.input.layout === 'NHWC' ? [s[1]!, s[2]!] : [s[2]!, s[3]!];
  return { kind: 'argmax-map', classes: track.classes.length, height, width };
}

function collect(out: InferOutput, topk: number[][], maps: { data: ArrayLike<number>; width: number; height: number }[]): void {
  if (out.kind === 'topk') topk.push(...out.topk);
  else for (const m of out.maps) maps.push({ data: m, width: out.width, height: out.height });
}

/** Scores each predicted label map against its mask, reading the masks one at a time (only one in memory). */
async function segmentationScoresOf(
  maps: { data: ArrayLike<number>; width: number; height: number }[],
  labels: Extract<Awaited<ReturnType<typeof loadLabels>>, { task: 'segmentation' }>,
  numClasses: number,
): Promise<SegmentationScores> {
  const acc = new SegmentationAccumulator(numClasses, { ignoreIndex: labels.ignoreIndex });
  for (let i = 0; i < maps.length; i++) {
    const gt = await labels.readMask(i);
    const pred = maps[i]!;
    if (gt.width !== pred.width || gt.height !== pred.height) {
      throw new LpcvError('LPCV_E_MODEL_OUTPUT_SHAPE', `label map of image ${labels.ids[i]} is ${pred.width}x${pred.height}, its mask ${gt.width}x${gt.height}`);
    }
    acc.add({ pred: pred.data, gt: gt.data });
  }
  return acc.result();
}
