import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { kernelTimes } from './profile-trace.js';

// Events in the shape onnxruntime-node 1.30 writes them (the real files are read in profile-layers.test.ts):
// Chrome trace "X" events, microseconds, Session events for runs and executions, one Node event per kernel.
const session = (name: string, ts: number, dur: number): object => ({ cat: 'Session', pid: 1, tid: 1, ph: 'X', name, ts, dur, args: {} });
const kernel = (name: string, op: string, ts: number, dur: number): object => ({
  cat: 'Node',
  pid: 1,
  tid: 1,
  ph: 'X',
  name: `${name}_kernel_time`,
  ts,
  dur,
  args: { op_name: op, node_index: '0', provider: 'CPUExecutionProvider' },
});

/** One model run at `ts` of the kernels `a` (conv) then `b` (relu), with the given durations. */
function run(ts: number, a: number, b: number): object[] {
  return [
    kernel('a', 'Conv', ts + 5, a),
    kernel('b', 'Relu', ts + 6 + a, b),
    session('SequentialExecutor::Execute', ts + 2, a + b + 6),
    session('model_run', ts, a + b + 10),
  ];
}

describe("reading onnxruntime's profile", () => {
  it("leaves the warm-up runs out and takes the mean of the middle half of each kernel's per-run times", () => {
    const trace = [
      session('model_loading_uri', 0, 100),
      session('session_initialization', 100, 900),
      ...run(1000, 5000, 900), // warm-up: the arena is allocated
      ...run(7000, 10, 3),
      ...run(8000, 12, 4),
      ...run(9000, 11, 3),
      ...run(10000, 400, 3), // descheduled in the middle of a: a quarter of the runs, dropped
    ];
    expect(kernelTimes(trace, 1, 4)).toEqual([
      { name: 'a', op: 'Conv', ms: (11 + 12) / 2 / 1000 },
      { name: 'b', op: 'Relu', ms: (3 + 3) / 2 / 1000 },
    ]);
  });

  it("leaves a subgraph's kernels out: their time is already in the Loop's", () => {
    const trace = [
      kernel('neg', 'Neg', 1020, 5),
      session('SequentialExecutor::Execute', 1018, 9),
      kernel('neg', 'Neg', 1030, 5),
      session('SequentialExecutor::Execute', 1028, 9),
      kernel('loop', 'Loop', 1010, 40),
      kernel('after', 'Relu', 1051, 2),
      session('SequentialExecutor::Execute', 1005, 50),
      session('model_run', 1000, 60),
    ];
    expect(kernelTimes(trace, 0, 1)).toEqual([
      { name: 'loop', op: 'Loop', ms: 0.04 },
      { name: 'after', op: 'Relu', ms: 0.002 },
    ]);
  });

  it('refuses a trace that is not an array of events, or holds another number of runs than were made', () => {
    expect(errorOf(() => kernelTimes({ traceEvents: [] }, 0, 1)).code).toBe('LPCV_E_WORKER_FAILED');
    const e = errorOf(() => kernelTimes([...run(0, 10, 3), ...run(100, 10, 3)], 1, 2));
    expect(e).toMatchObject({ code: 'LPCV_E_WORKER_FAILED', message: "cannot read onnxruntime's profile: it holds 2 model runs, 3 were made" });
    expect(errorOf(() => kernelTimes([session('model_run', 0, 10)], 0, 1)).message).toContain('no kernel times');
  });
});
