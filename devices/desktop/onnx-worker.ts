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
import type { FromWorker, InferOutput, LoadedInfo, Postprocess, ToWorker } from './worker-protocol.js';

let session: ort.InferenceSession | undefined;
let inputName = '';
let outputName = '';

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
  try {
    session = await ort.InferenceSession.create(msg.modelPath, {
      intraOpNumThreads: msg.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
    });
  } catch (e) {
    send({ type: 'error', stage: 'load', message: firstLine(e) });
    return;
  }
  inputName = msg.inputName;
  outputName = msg.outputName ?? session.outputNames[0] ?? '';
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
  if (!session) throw new Error('infer before load');
  const inferMs: number[] = [];
  const topk: number[][] = [];
  const maps: (Uint8Array | Uint16Array)[] = [];
  let outputShape: number[] = [];
  let width = 0;
  let height = 0;
  for (let i = 0; i < msg.inputs.length; i++) {
    const feeds = { [inputName]: makeTensor(msg.inputs[i]!, msg.dtype, msg.shape) };
    const t0 = process.hrtime.bigint();
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await session.run(feeds, [outputName]);
    } catch (e) {
      send({ type: 'error', stage: 'run', message: firstLine(e) });
      return;
    }
    inferMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
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
    msg.postprocess.kind === 'topk' ? { kind: 'topk', topk, outputShape } : { kind: 'argmax-map', maps: maps as Uint8Array[], width, height, outputShape };
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

async function latency(msg: Extract<ToWorker, { type: 'latency' }>): Promise<void> {
  if (!session) throw new Error('latency before load');
  const tensors = msg.inputs.map((d) => makeTensor(d, msg.dtype, msg.shape));
  const warmupMs = new Float64Array(msg.warmupRuns);
  for (let i = 0; i < msg.warmupRuns; i++) {
    const feeds = { [inputName]: tensors[i % tensors.length]! };
    const t0 = process.hrtime.bigint();
    await session.run(feeds, [outputName]);
    warmupMs[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  send({ type: 'progress', phase: 'warmup', done: msg.warmupRuns, elapsedMs: 0 });
  const samples: number[] = [];
  // Like MLPerf LoadGen's min_duration, the duration is the wall time of the timed phase, not the sum of samples.
  const timedStart = process.hrtime.bigint();
  const elapsedMs = (): number => Number(process.hrtime.bigint() - timedStart) / 1e6;
  let lastReport = Date.now();
  while (samples.length < msg.maxRuns && (samples.length < msg.minRuns || elapsedMs() < msg.minDurationMs)) {
    const feeds = { [inputName]: tensors[samples.length % tensors.length]! };
    const t0 = process.hrtime.bigint();
    await session.run(feeds, [outputName]);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    samples.push(ms);
    if (Date.now() - lastReport > 200) {
      lastReport = Date.now();
      send({ type: 'progress', phase: 'timed', done: samples.length, elapsedMs: elapsedMs() });
    }
  }
  send({ type: 'latency-done', samplesMs: Float64Array.from(samples), warmupMs });
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
