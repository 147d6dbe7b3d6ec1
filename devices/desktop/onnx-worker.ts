/**
 * The ONNX inference child process. It loads one model with onnxruntime-node and answers the harness over
 * IPC. It never sees labels: it gets prepared input tensors and returns predictions and timings. Running
 * in a child means a model that crashes the runtime or hangs cannot take the harness down.
 *
 * Latency is taken around `session.run` alone with the monotonic clock (process.hrtime.bigint); the
 * tensors are built before the clock starts and the outputs are post-processed after it stops.
 */
import ort from 'onnxruntime-node';
import { topKFromScores } from '../../scoring/classification.js';
import { sessionOptions } from './session-options.js';
import type { DetectionPrediction } from '../../harness/measurement.js';
import { decodeSsd } from '../../harness/detection/ssd-decode.js';
import { readDetections, readSsdHeads } from './detection-outputs.js';
import { DETECTION_OUTPUTS, SSD_OUTPUTS, type FromWorker, type InferOutput, type LoadedInfo, type Postprocess, type ToWorker } from './worker-protocol.js';

/** A loaded model: its session and the input and output it is fed and read by. */
interface Loaded {
  session: ort.InferenceSession;
  inputName: string;
  outputName: string;
  /** What every timed run fetches: outputName alone, or a detection model's three outputs. */
  fetch: string[];
}

let submission: Loaded | undefined;
/** The track's reference model, when the harness pairs it with the submission (protocol.reference). */
let reference: Loaded | undefined;

function send(msg: FromWorker): void {
  process.send?.(msg);
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim()
      .slice(0, 500) ?? 'unknown error'
  );
}

async function load(msg: Extract<ToWorker, { type: 'load' }>): Promise<void> {
  const t0 = process.hrtime.bigint();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(msg.modelPath, sessionOptions(msg.threads));
  } catch (e) {
    send({ type: 'error', stage: 'load', message: firstLine(e) });
    return;
  }
  const outputName = msg.outputName ?? msg.fetch?.[0] ?? session.outputNames[0] ?? '';
  const loaded: Loaded = { session, inputName: msg.inputName, outputName, fetch: msg.fetch ? [...msg.fetch] : [outputName] };
  if (msg.role === 'reference') reference = loaded;
  else submission = loaded;
  const info: LoadedInfo = {
    inputNames: [...session.inputNames],
    outputNames: [...session.outputNames],
    outputName,
    loadMs: Number(process.hrtime.bigint() - t0) / 1e6,
    runtime: `onnxruntime-node ${ort.env.versions.node ?? 'unknown'}`,
  };
  send({ type: 'loaded', info });
}

function makeTensor(data: Float32Array | Uint8Array, dtype: 'float32' | 'uint8', shape: number[]): ort.Tensor {
  return new ort.Tensor(dtype, data, shape);
}

function allFinite(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

async function infer(msg: Extract<ToWorker, { type: 'infer' }>): Promise<void> {
  if (!submission) throw new Error('infer before load');
  const { session, inputName, outputName } = submission;
  const inferMs: number[] = [];
  const topk: number[][] = [];
  const maps: (Uint8Array | Uint16Array)[] = [];
  const detections: DetectionPrediction[][] = [];
  let outputShape: number[] = [];
  let width = 0;
  let height = 0;
  const pp = msg.postprocess;
  for (let i = 0; i < msg.inputs.length; i++) {
    const feeds = { [inputName]: makeTensor(msg.inputs[i]!, msg.dtype, msg.shape) };
    const t0 = process.hrtime.bigint();
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await session.run(feeds, pp.kind === 'detections' ? [...(pp.ssd ? SSD_OUTPUTS : DETECTION_OUTPUTS)] : [outputName]);
    } catch (e) {
      send({ type: 'error', stage: 'run', message: firstLine(e) });
      return;
    }
    inferMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (pp.kind === 'detections' && pp.ssd) {
      const read = readSsdHeads(out, pp.ssd.priors.length / 4, pp.classes);
      if (read.kind === 'non-finite') return send({ type: 'non-finite', index: i });
      if (read.kind === 'bad-output') return send({ type: 'bad-output', message: read.message, outputShape: read.shape });
      detections.push(decodeSsd(read.heads, pp.ssd.priors, pp.ssd.spec, pp.classes, pp.width, pp.height));
      outputShape = read.shape;
      continue;
    }
    if (pp.kind === 'detections') {
      const tensors = Object.fromEntries(
        DETECTION_OUTPUTS.map((name) => {
          const t = out[name];
          return [name, t === undefined ? undefined : { dims: t.dims, type: t.type, data: t.data as ArrayLike<number | bigint> }];
        }),
      );
      const read = readDetections(tensors, pp);
      if (read.kind === 'non-finite') return send({ type: 'non-finite', index: i });
      if (read.kind === 'bad-output') return send({ type: 'bad-output', message: read.message, outputShape: read.shape });
      if (read.kind === 'bad-detections') return send({ type: 'bad-detections', message: read.message, index: i });
      detections.push(read.boxes);
      outputShape = read.shape;
      continue;
    }
    const tensor = out[outputName]!;
    outputShape = [...tensor.dims];
    if (tensor.type !== 'float32') {
      send({ type: 'bad-output', message: `output ${outputName} is ${tensor.type}, expected float32`, outputShape });
      return;
    }
    const data = tensor.data as Float32Array;
    if (!allFinite(data)) {
      send({ type: 'non-finite', index: i });
      return;
    }
    const problem = postprocessInto(msg.postprocess, data, outputShape, topk, maps);
    if (problem) {
      send({ type: 'bad-output', message: problem, outputShape });
      return;
    }
    if (msg.postprocess.kind === 'argmax-map') {
      height = outputShape[2]!;
      width = outputShape[3]!;
    }
  }
  const output: InferOutput =
    pp.kind === 'topk'
      ? { kind: 'topk', topk, outputShape }
      : pp.kind === 'detections'
        ? { kind: 'detections', detections, outputShape }
        : { kind: 'argmax-map', maps: maps as Uint8Array[], width, height, outputShape };
  send({ type: 'inferred', output, inferMs });
}

function postprocessInto(pp: Postprocess, data: Float32Array, shape: number[], topk: number[][], maps: (Uint8Array | Uint16Array)[]): string | undefined {
  if (pp.kind === 'topk') {
    const n = shape.length === 0 ? 0 : shape[shape.length - 1]!;
    if (data.length !== n || n !== pp.classes) return `output shape [${shape.join(', ')}] is not one row of ${pp.classes} class scores`;
    topk.push(topKFromScores(data, Math.min(pp.k, n)));
    return undefined;
  }
  const [, c, h, w] = shape as [number, number, number, number];
  if (shape.length !== 4 || shape[0] !== 1 || c !== pp.classes || h !== pp.height || w !== pp.width) {
    return `output shape [${shape.join(', ')}] is not [1, ${pp.classes}, ${pp.height}, ${pp.width}]`;
  }
  const plane = h * w;
  const map = c <= 256 ? new Uint8Array(plane) : new Uint16Array(plane);
  for (let p = 0; p < plane; p++) {
    let best = 0;
    let bestV = data[p]!;
    for (let k = 1; k < c; k++) {
      const v = data[k * plane + p]!;
      if (v > bestV) {
        bestV = v;
        best = k;
      }
    }
    map[p] = best;
  }
  maps.push(map);
  return undefined;
}

/** Runs one model once on `tensor`, timed around session.run alone; the output is not read. */
async function timedRun(m: Loaded, tensor: ort.Tensor): Promise<number> {
  const feeds = { [m.inputName]: tensor };
  const t0 = process.hrtime.bigint();
  await m.session.run(feeds, m.fetch);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function latency(msg: Extract<ToWorker, { type: 'latency' }>): Promise<void> {
  if (!submission) throw new Error('latency before load');
  const paired = msg.pairedBlockMs !== undefined;
  if (paired && !reference) throw new Error('paired latency without a reference loaded');
  const tensors = msg.inputs.map((d) => makeTensor(d, msg.dtype, msg.shape));
  // Warm-up: the submission's runs are kept (raw samples); the reference gets as many, not kept.
  const warmupMs = new Float64Array(msg.warmupRuns);
  for (let i = 0; i < msg.warmupRuns; i++) {
    warmupMs[i] = await timedRun(submission, tensors[i % tensors.length]!);
    if (paired) await timedRun(reference!, tensors[i % tensors.length]!);
  }
  send({ type: 'progress', phase: 'warmup', done: msg.warmupRuns, elapsedMs: 0 });
  const samples: number[] = [];
  const referenceSamples: number[] = [];
  let blockOrder = '';
  // Like MLPerf LoadGen's min_duration, the duration is the wall time of the timed phase, not the sum of samples.
  const timedStart = process.hrtime.bigint();
  const elapsedMs = (): number => Number(process.hrtime.bigint() - timedStart) / 1e6;
  const enough = (): boolean => samples.length >= msg.minRuns && elapsedMs() >= msg.minDurationMs;
  let lastReport = Date.now();
  const report = (): void => {
    if (Date.now() - lastReport <= 200) return;
    lastReport = Date.now();
    send({ type: 'progress', phase: 'timed', done: samples.length, elapsedMs: elapsedMs() });
  };
  if (!paired) {
    while (samples.length < msg.maxRuns && !enough()) {
      samples.push(await timedRun(submission, tensors[samples.length % tensors.length]!));
      report();
    }
  } else {
    // Blocks S R R S, S R R S, ...: within a group each model goes first once, so a speed that drifts during
    // the group weighs on both alike. The phase ends on a whole group.
    let next = 0;
    for (let block = 0; ; block++) {
      const which = block % 4 === 0 || block % 4 === 3 ? 'S' : 'R';
      const model = which === 'S' ? submission : reference!;
      const into = which === 'S' ? samples : referenceSamples;
      const blockStart = elapsedMs();
      // A block times at least one run, but the submission never more than maxRuns in all.
      const room = (): boolean => which === 'R' || samples.length < msg.maxRuns;
      for (let first = true; room() && (first || elapsedMs() - blockStart < msg.pairedBlockMs!); first = false) {
        into.push(await timedRun(model, tensors[next++ % tensors.length]!));
        report();
      }
      blockOrder += which;
      if (block % 4 === 3 && (enough() || samples.length >= msg.maxRuns)) break;
    }
  }
  const timedMs = elapsedMs();
  const cpu = process.cpuUsage();
  send({
    type: 'latency-done',
    samplesMs: Float64Array.from(samples),
    warmupMs,
    ...(paired ? { referenceSamplesMs: Float64Array.from(referenceSamples), blockOrder } : {}),
    timedMs,
    capped: samples.length >= msg.maxRuns && (samples.length < msg.minRuns || timedMs < msg.minDurationMs),
    cpuMs: (cpu.user + cpu.system) / 1000,
  });
}

process.on('message', (msg: ToWorker) => {
  const work = async (): Promise<void> => {
    switch (msg.type) {
      case 'load':
        return load(msg);
      case 'infer':
        return infer(msg);
      case 'latency':
        return latency(msg);
      case 'exit':
        process.disconnect?.();
        process.exit(0);
    }
  };
  work().catch((e: unknown) => send({ type: 'error', stage: 'run', message: firstLine(e) }));
});

process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
