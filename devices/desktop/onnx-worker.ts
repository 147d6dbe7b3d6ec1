/**
 * The ONNX inference child process. It loads one model with onnxruntime-node and answers the harness over
 * IPC. It never sees labels: it gets prepared input tensors and returns predictions and timings. Running
 * in a child means a model that crashes the runtime or hangs cannot take the harness down.
 *
 * Latency is taken around `session.run` alone with the monotonic clock (process.hrtime.bigint); the
 * tensors are built before the clock starts and the outputs are post-processed after it stops.
 */
import ort from 'onnxruntime-node';
import { sessionOptions } from './session-options.js';
import type { PredictionRow } from '../../harness/tasks/output-decoding.js';
import type { FromWorker, LoadedInfo, ToWorker } from './worker-protocol.js';

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

async function infer(msg: Extract<ToWorker, { type: 'infer' }>): Promise<void> {
  if (!submission) throw new Error('infer before load');
  const { session, inputName, outputName } = submission;
  // Imported here, not at the top: the tasks' decoding code (and what it imports) is only for the accuracy
  // pass. Imported at start-up it cost every trial's fresh process about 0.35 s on a loaded 2-core machine
  // (bench/device-busy.ts), of a start of about 0.7 s compiled; trial processes only load and time.
  const { taskOfPostprocess } = await import('../../harness/tasks/task-registry.js');
  const task = taskOfPostprocess(msg.postprocess);
  // What to fetch follows from the post-process (a detection model's outputs), whatever the load was told for timing.
  const fetch = [...(task.fetch(msg.postprocess) ?? [outputName])];
  const inferMs: number[] = [];
  const rows: PredictionRow[] = [];
  let outputShape: number[] = [];
  for (let i = 0; i < msg.inputs.length; i++) {
    const feeds = { [inputName]: makeTensor(msg.inputs[i]!, msg.dtype, msg.shape) };
    const t0 = process.hrtime.bigint();
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await session.run(feeds, fetch);
    } catch (e) {
      send({ type: 'error', stage: 'run', message: firstLine(e) });
      return;
    }
    inferMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const tensors = Object.fromEntries(
      fetch.map((name) => [name, out[name] && { dims: out[name].dims, type: out[name].type, data: out[name].data as ArrayLike<number | bigint> }]),
    );
    // The task reads the tensors (harness/tasks/): pure, and the same code whichever device produced them.
    const read = task.decodeImage(tensors, msg.postprocess, outputName);
    if (read.kind === 'non-finite') return send({ type: 'non-finite', index: i });
    if (read.kind === 'bad-output') return send({ type: 'bad-output', message: read.message, outputShape: read.shape });
    if (read.kind === 'bad-detections') return send({ type: 'bad-detections', message: read.message, index: i });
    rows.push(read.row);
    outputShape = read.shape;
  }
  send({ type: 'inferred', output: { rows, outputShape }, inferMs });
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
