import { ENERGY_NOTE_DESKTOP, desktopTargetInfo } from '../devices/desktop/target-info.js';
import { loadLabels, openInputs } from '../harness/datasets/open-split.js';
import { measureOnnx, type MeasureOnnxOptions } from '../devices/desktop/measure-onnx.js';
import { measureRobustnessOnnx, planRobustness, type MeasureRobustnessOptions } from '../devices/desktop/measure-robustness.js';
import type { Predictions } from '../harness/measurement.js';
import type { RawSamples, ResultRecord } from '../harness/result-record.js';
import type { Track } from '../harness/tracks/track.js';
import { assertValid, validateModel } from '../submissions/validate/validate-model.js';
import { buildResultRecord } from '../harness/score/build-record.js';
import { scorePredictions } from '../harness/score/score-predictions.js';
import { scoreRobustness } from '../harness/score/score-robustness.js';

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
  onProgress?: MeasureOnnxOptions['onProgress'];
  /** Run the track's robustness splits of this split, adversarial sets included (default true; docs/robustness.md). */
  robustness?: boolean;
  onRobustnessProgress?: MeasureRobustnessOptions['onProgress'];
}

export interface ScoreOutcome {
  record: ResultRecord;
  raw: RawSamples;
  perClass: unknown[];
  warnings: string[];
  /** Classification: each image's five best classes, best first (written out by `--predictions`). */
  predictions: { ids: readonly string[]; topk: number[][] } | null;
}

/**
 * `lpcv score`: validate the model against the track, measure it on the desktop target (inputs only),
 * then score the predictions with the labels and build the result record. The labels are read only after
 * the inference process has exited: the process that runs the model never has them. The server does the
 * same two halves, with the measuring half on a device agent.
 */
export async function runScore(opts: ScoreOptions): Promise<ScoreOutcome> {
  const { track, split } = opts;
  const startedAt = new Date().toISOString();
  const report = validateModel(opts.modelPath, track);
  assertValid(report);
  const inputs = await openInputs(track, split);
  const measurement = await measureOnnx({
    modelPath: report.model.path,
    inputName: report.input!.name,
    outputName: report.output?.name,
    track,
    inputs,
    threads: opts.threads ?? track.protocol.threads,
    protocol: {
      warmupRuns: opts.warmup ?? track.protocol.warmupRuns,
      minRuns: opts.runs ?? track.protocol.minRuns,
      minDurationMs: opts.runs !== undefined ? 0 : track.protocol.minDurationMs,
      maxRuns: opts.runs ?? track.protocol.maxRuns ?? Number.MAX_SAFE_INTEGER,
    },
    timeoutMs: opts.timeoutMs ?? track.limits.runTimeoutMs,
    onProgress: opts.onProgress,
  });
  // Robustness passes after the clean run, in their own process: the clean split's latency never includes them.
  const plan = await planRobustness(track, split, inputs, { adversarial: true });
  if (opts.robustness === false) {
    measurement.robustnessSkipped = Object.fromEntries(
      [...plan.passes.map((p) => p.name), ...Object.keys(plan.skipped)].map((n) => [n, 'skipped (lpcv score --no-robustness)']),
    );
  } else if (plan.passes.length > 0) {
    measurement.robustness = await measureRobustnessOnnx({
      modelPath: report.model.path,
      inputName: report.input!.name,
      outputName: report.output?.name,
      track,
      passes: plan.passes,
      threads: opts.threads ?? track.protocol.threads,
      timeoutMs: opts.timeoutMs ?? track.limits.runTimeoutMs,
      onProgress: opts.onRobustnessProgress,
    });
  }

  const labels = await loadLabels(track, split);
  const { accuracy, perClass } = await scorePredictions(track, measurement.predictions, labels);
  const robustness = await scoreRobustness(track, split, measurement, labels);
  const record = buildResultRecord({
    track,
    split,
    model: { path: report.model.path, sha256: report.model.sha256, bytes: report.model.bytes, format: 'onnx' },
    target: desktopTargetInfo(measurement.runtime, measurement.threads),
    accuracy,
    latencyMs: measurement.latencyMs,
    preprocessMs: measurement.preprocessMs,
    protocol: measurement.protocol,
    accuracyImages: inputs.ids.length,
    energy: null,
    energyNote: ENERGY_NOTE_DESKTOP,
    ...(robustness ? { robustness } : {}),
    startedAt,
    finishedAt: new Date().toISOString(),
  });
  return {
    record,
    raw: { latencyMs: measurement.latencyMs, warmupMs: measurement.warmupMs, preprocessMs: measurement.preprocessMs, power: [] },
    perClass,
    warnings: report.warnings,
    predictions: topkOf(measurement.predictions),
  };
}

function topkOf(p: Predictions): ScoreOutcome['predictions'] {
  return p.kind === 'topk' ? { ids: p.ids, topk: p.topk } : null;
}
