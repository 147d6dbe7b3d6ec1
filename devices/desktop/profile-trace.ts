/**
 * Reads the trace onnxruntime's profiler writes (`enableProfiling`): per kernel, its time per profiled run.
 *
 * What onnxruntime-node 1.30 writes (checked on the fashion-mnist baselines and on a Loop model): one JSON
 * array of Chrome trace "complete" events (`ph` "X"), `ts` and `dur` in whole microseconds from the session's
 * creation. `cat` "Session" events are `model_loading_uri`, `session_initialization`, one `model_run` per
 * `session.run()` and one `SequentialExecutor::Execute` per graph executed (the model's, and one per
 * subgraph execution of a Loop, If or Scan). `cat` "Node" events are one per kernel per run, named
 * `<node name>_kernel_time`, with `args.op_name` (the kernel's op: "FusedConv", "Conv" of the NCHWc domain,
 * "ReorderOutput"...) and `args.node_index`. Node names are those of the optimised graph: see
 * profile-node-match.ts for how they lead back to the model's nodes.
 */
import { LpcvError } from '../../errors/lpcv-error.js';

/** One kernel of the optimised graph: its time per profiled run (interquartile mean over the runs, ms). */
export interface KernelTime {
  /** onnxruntime's node name (without the `_kernel_time` suffix). */
  name: string;
  /** The kernel's op, as onnxruntime ran it. */
  op: string;
  ms: number;
}

interface Span {
  name: string;
  ts: number;
  dur: number;
}

interface NodeSpan extends Span {
  op: string;
}

const KERNEL_SUFFIX = '_kernel_time';

function bad(why: string): LpcvError {
  // The runtime wrote something this reader does not know: the harness's problem, never the model's.
  return new LpcvError('LPCV_E_WORKER_FAILED', `cannot read onnxruntime's profile: ${why}`);
}

function spansOf(trace: unknown): { runs: Span[]; executes: Span[]; nodes: NodeSpan[] } {
  if (!Array.isArray(trace)) throw bad('the trace is not a JSON array of events');
  const runs: Span[] = [];
  const executes: Span[] = [];
  const nodes: NodeSpan[] = [];
  for (const e of trace as unknown[]) {
    if (typeof e !== 'object' || e === null) continue;
    const { cat, name, ts, dur, args } = e as Record<string, unknown>;
    if (typeof name !== 'string' || typeof ts !== 'number' || typeof dur !== 'number') continue;
    if (cat === 'Session' && name === 'model_run') runs.push({ name, ts, dur });
    else if (cat === 'Session' && name.endsWith('Executor::Execute')) executes.push({ name, ts, dur });
    else if (cat === 'Node' && name.endsWith(KERNEL_SUFFIX)) {
      const op = (args as Record<string, unknown> | undefined)?.op_name;
      nodes.push({ name: name.slice(0, -KERNEL_SUFFIX.length), ts, dur, op: typeof op === 'string' ? op : '?' });
    }
  }
  return { runs, executes, nodes };
}

const inside = (outer: Span, s: Span): boolean => s.ts >= outer.ts && s.ts + s.dur <= outer.ts + outer.dur;

/** Spans nest (a Loop inside a Loop's body) but never partly overlap: their union is the outermost ones. */
function outermost(spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of [...spans].sort((a, b) => a.ts - b.ts || b.dur - a.dur)) {
    const last = out[out.length - 1];
    if (last === undefined || !inside(last, s)) out.push(s);
  }
  return out;
}

/** The index of the last of `spans` (sorted by start) that starts at or before `ts`, or -1. */
function lastStartingBy(spans: readonly Span[], ts: number): number {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]!.ts <= ts) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi;
}

/** Whether `s` lies inside one of `outer` (disjoint, sorted by start). */
function insideAny(outer: readonly Span[], s: Span): boolean {
  const i = lastStartingBy(outer, s.ts);
  return i >= 0 && inside(outer[i]!, s);
}

/** The interquartile mean: the mean of the middle half (a quarter of the values dropped at each end). */
function interquartileMean(xs: readonly number[]): number {
  const cut = xs.length >> 2;
  const middle = [...xs].sort((a, b) => a - b).slice(cut, xs.length - cut);
  return middle.reduce((a, b) => a + b, 0) / middle.length;
}

/**
 * Each kernel's time per run over the last `runs` model runs of the trace, as the interquartile mean of its
 * per-run times; the `warmupRuns` before them are left out (the first runs of a session allocate its memory
 * arena). Not the mean: a process descheduled in the middle of a kernel charges that kernel with the pause,
 * and on the machines this project measured such pauses are common (one run of resnet_s took 4.3 ms among
 * runs of 0.27 ms; issue 10 saw means 3-4 times the median under load), so one pause in 30 runs would move a
 * mean. Not the median either: onnxruntime records whole microseconds and many kernels take 2 to 10, so a
 * median is a coarse step, while the middle half's mean is robust to the pauses and finer than a microsecond.
 * Kernels that ran inside a subgraph (a Loop's or an If's body) are left out: their time is already part of
 * the control-flow node's, and counting both would make the shares sum past 1. Most time first, then by name.
 */
export function kernelTimes(trace: unknown, warmupRuns: number, runs: number): KernelTime[] {
  const spans = spansOf(trace);
  if (spans.runs.length !== warmupRuns + runs) {
    throw bad(`it holds ${spans.runs.length} model runs, ${warmupRuns + runs} were made`);
  }
  const windows = spans.runs.sort((a, b) => a.ts - b.ts).slice(warmupRuns);
  // The outermost Execute of each run is the model's graph; an Execute inside it is a subgraph's.
  const graphs = new Set(outermost(spans.executes));
  const subgraphs = outermost(spans.executes.filter((x) => !graphs.has(x)));
  const perRun = new Map<string, { op: string; us: number[] }>();
  for (const n of spans.nodes) {
    // Kernels run only inside model runs, and runs do not overlap: the last run that starts before the kernel.
    const run = lastStartingBy(windows, n.ts);
    if (run < 0 || insideAny(subgraphs, n)) continue;
    const t = perRun.get(n.name) ?? { op: n.op, us: new Array<number>(runs).fill(0) };
    t.us[run]! += n.dur;
    perRun.set(n.name, t);
  }
  if (perRun.size === 0) throw bad('it holds no kernel times for the profiled runs');
  return [...perRun]
    .map(([name, t]) => ({ name, op: t.op, ms: interquartileMean(t.us) / 1000 }))
    .sort((a, b) => b.ms - a.ms || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
