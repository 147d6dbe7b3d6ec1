/**
 * The profiling child process: loads one model with onnxruntime-node's profiler on, runs it, and answers
 * each kernel's time per run (profile-trace.ts). A process of its own, apart from the inference child
 * of the timed trials: the profiler's bookkeeping (an event per kernel per run) never runs while time is
 * taken for the score, and a crash or a hang here takes only this process down.
 *
 * The session is made as onnx-worker.ts makes its own (threads, sequential, all optimisations, CPU), so the
 * profile is of the graph the trials timed, plus `enableProfiling`.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { sessionOptions } from './session-options.js';
import { kernelTimes } from './profile-trace.js';
import type { FromProfileWorker, ToProfileWorker } from './profile-process.js';

function send(msg: FromProfileWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(msg, () => resolve());
  });
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

async function profile(msg: ToProfileWorker): Promise<FromProfileWorker> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(msg.modelPath, {
      ...sessionOptions(msg.threads),
      enableProfiling: true,
      // onnxruntime appends `_<date>_<time>.json`; the folder is the harness's, made for this run alone.
      profileFilePrefix: path.join(msg.traceDir, 'profile'),
    });
  } catch (e) {
    return { type: 'error', stage: 'load', message: firstLine(e) };
  }
  const outputName = msg.outputName ?? session.outputNames[0] ?? '';
  const tensors = msg.inputs.map((d) => new ort.Tensor(msg.dtype, d, msg.shape));
  try {
    for (let i = 0; i < msg.warmupRuns + msg.runs; i++) {
      await session.run({ [msg.inputName]: tensors[i % tensors.length]! }, [outputName]);
    }
  } catch (e) {
    return { type: 'error', stage: 'run', message: firstLine(e) };
  }
  // endProfiling writes the trace and returns nothing in onnxruntime-node (not the file's name): the
  // folder holds that one file.
  session.endProfiling();
  const files = readdirSync(msg.traceDir).filter((f) => f.endsWith('.json'));
  if (files.length !== 1) return { type: 'error', stage: 'trace', message: `expected one trace file, found ${files.length}` };
  const file = path.join(msg.traceDir, files[0]!);
  const trace: unknown = JSON.parse(readFileSync(file, 'utf8'));
  rmSync(file, { force: true });
  return { type: 'profiled', kernels: kernelTimes(trace, msg.warmupRuns, msg.runs) };
}

process.once('message', (msg: ToProfileWorker) => {
  profile(msg)
    .catch((e: unknown): FromProfileWorker => ({ type: 'error', stage: 'trace', message: firstLine(e) }))
    // The harness disconnects once it has the answer, and this process exits then (below).
    .then(send);
});

process.on('disconnect', () => process.exit(0));
void send({ type: 'ready' });
