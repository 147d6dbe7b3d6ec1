/**
 * For group-watchdog.test.ts and child-records.test.ts (not used by the harness): a harness process whose
 * inference child is stuck in a model that never finishes (its children recorded in a folder when one is given). Prints `{"worker": pid, "watchdog": pid}` once the child is inside the model, then
 * waits to be killed.
 */
import { recordChildrenIn } from '../child-records.js';
import { OnnxProcess } from '../onnx-process.js';

const [model, records] = process.argv.slice(2);
if (!model) throw new Error('usage: hung-inference-harness.ts MODEL.onnx [CHILD-RECORDS-DIR]');
if (records) recordChildrenIn(records);
const proc = await OnnxProcess.start({ timeoutMs: 600_000 });
await proc.load(model, 1, 'input');
// An empty batch first: the worker imports the tasks' decoding code on its first infer (onnx-worker.ts), a
// window in which a harness killed now would see its child exit cleanly instead of stuck inside the model.
await proc.infer([], [1, 1, 28, 28], 'float32', { kind: 'topk', k: 5, classes: 10 });
// Never settles: the model loops until the process is killed.
void proc.infer([new Float32Array(784)], [1, 1, 28, 28], 'float32', { kind: 'topk', k: 5, classes: 10 }).catch(() => undefined);
process.stdout.write(`${JSON.stringify({ worker: proc.pid, watchdog: proc.watchdogPid })}\n`);
setInterval(() => undefined, 60_000);
