import { LpcvError } from '../../errors/lpcv-error.js';

/**
 * Parses the stdout of TFLite's benchmark_model (tensorflow/lite/tools/benchmark). What the tool prints,
 * from its source (benchmark_model.cc, tensorflow/core/util/stats_calculator.h) and captured logs:
 *
 * - one summary line per phase, warm-up first, then the timed runs, each after a line
 *   `Running benchmark for at least N iterations and at least S seconds but terminate if exceeding M seconds.`
 *   The summary is tensorflow::Stat's OutputToStream:
 *     `count=50 first=29178 curr=24584 min=24208 max=29178 avg=24879.9 std=887`
 *   and, when every run took the same time (always so for one run): `count=1 curr=24584`, with
 *   `(all same)` appended when count > 1. Newer builds print StatWithPercentiles, which appends
 *   ` p5=... median=... p95=...`. Doubles use the C++ stream default (6 significant digits), so
 *   `avg=2.95034e+06` happens.
 * - `Inference timings in us: Init: 3214, First inference: 28311, Warmup (avg): 26555.8, Inference (avg): 26473.2`
 *   (2019-era builds: `Average inference timings in us: Warmup: 83235, Init: 38467, no stats: 79760.9`).
 *   With no warm-up runs the warm-up average is NaN and prints as `nan` (or `-nan`).
 * - Lines may carry a prefix: `INFO: ` from newer builds' logging, or logcat's `... I tflite  : `.
 *   The op profiler's `Timings (microseconds): count=...` lines are per-profile totals, not runs, and
 *   are not summary lines (a summary line starts with `count=` after the prefix).
 *
 * Everything is in microseconds; `toMs` converts. A summary that cannot be read is
 * LPCV_E_ANDROID_BENCHMARK_OUTPUT (the infrastructure's: not the tool we expect, or output cut short).
 */

export interface RunStat {
  /** Runs in the phase. */
  readonly count: number;
  /** Microseconds, as printed. `first`, `min`, `max`, `avg`, `std` are absent when the tool printed the all-same form. */
  readonly curr: number;
  readonly first?: number;
  readonly min?: number;
  readonly max?: number;
  readonly avg?: number;
  readonly std?: number;
  readonly p5?: number;
  readonly median?: number;
  readonly p95?: number;
  /** The tool printed `count=N curr=X` (every run took the same time). */
  readonly allSame: boolean;
  /** The `Running benchmark for at least N iterations ...` line before it, when printed. */
  readonly requestedRuns?: number;
}

export interface InferenceTimings {
  /** Microseconds; null where the tool printed nan. */
  readonly initUs: number | null;
  readonly firstInferenceUs: number | null;
  readonly warmupAvgUs: number | null;
  readonly inferenceAvgUs: number | null;
}

export interface BenchmarkModelOutput {
  /** The warm-up phase, when the tool printed two summaries. */
  readonly warmup?: RunStat;
  /** The timed phase: the last summary line. */
  readonly inference: RunStat;
  readonly timings?: InferenceTimings;
  /** `Num threads: [1]` as the tool echoed it, when it did. */
  readonly threads?: number;
  /** `Graph: [...]`, when echoed. */
  readonly graph?: string;
}

const NUMBER = String.raw`-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`;
const PREFIX = /^(?:.*?\b[VDIWEF] tflite\s*:\s?)?(?:(?:INFO|WARNING|WARN|ERROR|VERBOSE): )?/;
const STAT_KEYS = new Set(['count', 'first', 'curr', 'min', 'max', 'avg', 'std', 'p5', 'median', 'p95']);

export function parseBenchmarkModelOutput(stdout: string): BenchmarkModelOutput {
  const stats: RunStat[] = [];
  let requested: number | undefined;
  let timings: InferenceTimings | undefined;
  let threads: number | undefined;
  let graph: string | undefined;
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.replace(PREFIX, '').trim();
    if (line === '') continue;
    const running = /^Running benchmark for at least (\d+) iterations/.exec(line);
    if (running) {
      requested = Number(running[1]);
      continue;
    }
    if (line.startsWith('count=')) {
      stats.push(parseStatLine(line, requested));
      requested = undefined;
      continue;
    }
    const t = parseTimingsLine(line);
    if (t !== undefined) {
      timings = t;
      continue;
    }
    const th = /^Num threads: \[(-?\d+)\]$/.exec(line);
    if (th) threads = Number(th[1]);
    const g = /^Graph: \[(.*)\]$/.exec(line);
    if (g) graph = g[1];
  }
  const inference = stats[stats.length - 1];
  if (inference === undefined) throw malformed('no run summary line (count=... curr=...)', stdout);
  if (inference.count < 1) throw malformed('the timed phase ran no inference (count=0)', stdout);
  return {
    ...(stats.length >= 2 ? { warmup: stats[stats.length - 2] } : {}),
    inference,
    ...(timings ? { timings } : {}),
    ...(threads !== undefined ? { threads } : {}),
    ...(graph !== undefined ? { graph } : {}),
  };
}

/** One `count=...` line. */
export function parseStatLine(line: string, requestedRuns?: number): RunStat {
  let text = line.trim();
  const allSameSuffix = text.endsWith('(all same)');
  if (allSameSuffix) text = text.slice(0, -'(all same)'.length);
  // `count=5 curr=24584(all same) p5=...` when percentiles follow the all-same form.
  text = text.replace('(all same)', '');
  const values = new Map<string, number>();
  for (const token of text.split(/\s+/)) {
    const m = new RegExp(`^([a-z0-9]+)=(${NUMBER}|-?nan|-?inf)$`).exec(token);
    if (m === null) throw malformed(`${JSON.stringify(token)} is not key=number`, line);
    const [, key, value] = m;
    if (!STAT_KEYS.has(key!)) throw malformed(`unknown key ${JSON.stringify(key)}`, line);
    if (values.has(key!)) throw malformed(`${key} appears twice`, line);
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw malformed(`${key}=${value} is not a duration`, line);
    values.set(key!, n);
  }
  const count = values.get('count');
  if (count === undefined || !Number.isInteger(count)) throw malformed('no integer count=', line);
  const curr = values.get('curr');
  if (count === 0) return { count: 0, curr: NaN, allSame: false, ...(requestedRuns !== undefined ? { requestedRuns } : {}) };
  if (curr === undefined) throw malformed('no curr=', line);
  const full = ['first', 'min', 'max', 'avg', 'std'].filter((k) => values.has(k));
  const allSame = full.length === 0;
  if (!allSame && full.length !== 5) throw malformed(`a partial summary (has ${full.join(', ')}; expected first, min, max, avg, std)`, line);
  if (allSameSuffix && !allSame) throw malformed('(all same) after a full summary', line);
  const pick = (k: string): Record<string, number> => (values.has(k) ? { [k]: values.get(k)! } : {});
  return {
    count,
    curr,
    ...pick('first'),
    ...pick('min'),
    ...pick('max'),
    ...pick('avg'),
    ...pick('std'),
    ...pick('p5'),
    ...pick('median'),
    ...pick('p95'),
    allSame,
    ...(requestedRuns !== undefined ? { requestedRuns } : {}),
  };
}

function parseTimingsLine(line: string): InferenceTimings | undefined {
  const num = String.raw`(${NUMBER}|-?nan)`;
  const modern = new RegExp(`^Inference timings in us: Init: ${num}, First inference: ${num}, Warmup \\(avg\\): ${num}, Inference \\(avg\\): ${num}`).exec(
    line,
  );
  if (modern) return { initUs: us(modern[1]!), firstInferenceUs: us(modern[2]!), warmupAvgUs: us(modern[3]!), inferenceAvgUs: us(modern[4]!) };
  const old = new RegExp(`^Average inference timings in us: Warmup: ${num}, Init: ${num}, no stats: ${num}`).exec(line);
  if (old) return { initUs: us(old[2]!), firstInferenceUs: null, warmupAvgUs: us(old[1]!), inferenceAvgUs: us(old[3]!) };
  if (line.startsWith('Inference timings in us:') || line.startsWith('Average inference timings in us:')) {
    throw malformed('a timings line in an unknown layout', line);
  }
  return undefined;
}

function us(text: string): number | null {
  if (/nan$/i.test(text)) return null;
  return Number(text);
}

/** Microseconds to milliseconds. */
export function toMs(us: number): number {
  return us / 1000;
}

function malformed(why: string, text: string): LpcvError {
  const excerpt = text.length > 400 ? `${text.slice(0, 400)}...` : text;
  return new LpcvError('LPCV_E_ANDROID_BENCHMARK_OUTPUT', `benchmark_model output: ${why}: ${JSON.stringify(excerpt)}`);
}
