/**
 * The measures a formula can be given by name (`lpcv formula --set name=value`), each with its kind, and
 * how text assignments become a Measures object. Accuracy metrics are fractions; latency statistics are
 * per-image times; duration is the whole run's wall clock; energy is the whole run's energy.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import { parseQuantity } from '../units/parse-quantity.js';
import type { QuantityKind } from '../units/quantity.js';
import type { MeasuredLatency, Measures } from './types.js';

export interface MeasureSpec {
  readonly name: string;
  readonly kind: QuantityKind;
  readonly description: string;
}

/** Accuracy metrics: fractions in [0, 1] (a formula that wants percent converts). */
export const ACCURACY_METRICS = ['accuracy', 'top1', 'top5', 'map', 'map50', 'iou', 'f1', 'mdice', 'miou', 'recall10', 'robust_accuracy'] as const;

/** Latency statistics per image, as LatencyStats names them. */
export const LATENCY_STATS = ['mean', 'p50', 'p90', 'p95', 'p99', 'min', 'max', 'std'] as const;
export type LatencyStat = (typeof LATENCY_STATS)[number];

/**
 * Every statistic of a run's latency a score can read (docs/formulas.md, "Which latency statistic"): LatencyStats'
 * own, LoadGen's early-stopping estimate of the p90 (`latency.p90EarlyStopping` in the record) and the calibrated
 * latency (`calibratedLatency`: relativeLatency x the track's fixed reference latency), all in ms per image.
 */
export const LATENCY_STATISTICS = [...LATENCY_STATS, 'p90EarlyStopping', 'calibrated'] as const;
export type LatencyStatistic = (typeof LATENCY_STATISTICS)[number];

const STATISTIC_LABELS: Record<LatencyStatistic, string> = {
  mean: 'mean',
  p50: 'median',
  p90: 'p90',
  p95: 'p95',
  p99: 'p99',
  min: 'minimum',
  max: 'maximum',
  std: 'standard deviation',
  p90EarlyStopping: 'early-stopping p90',
  calibrated: 'calibrated',
};

/** How reports and pages name a statistic: "mean", "median", "early-stopping p90", ... (followed by "latency"). */
export function statisticLabel(s: LatencyStatistic): string {
  return STATISTIC_LABELS[s];
}

const METRIC_LABELS: Readonly<Record<string, string>> = {
  top1: 'Top-1',
  top5: 'Top-5',
  f1: 'F1 (macro)',
  map: 'mAP@[.50:.95]',
  map50: 'mAP@.50',
  miou: 'mIoU',
  mdice: 'mDice',
};

/** How pages name an accuracy metric of a track ("Top-1", "mAP@[.50:.95]", "mIoU", ...); unknown names as they are. */
export function metricLabel(metric: string): string {
  return METRIC_LABELS[metric] ?? metric;
}

/** A statistic's measure name, as `--set` and expressions take it: latency_mean, ..., latency_p90_early_stopping, latency_calibrated. */
export function latencyMeasureName(s: LatencyStatistic): string {
  return s === 'p90EarlyStopping' ? 'latency_p90_early_stopping' : `latency_${s}`;
}

const ACCURACY_TEXT: Record<(typeof ACCURACY_METRICS)[number], string> = {
  accuracy: 'a generic accuracy (e.g. 2020 UAV video: 1 - mean normalised Levenshtein distance)',
  top1: 'top-1 classification accuracy',
  top5: 'top-5 classification accuracy',
  map: 'detection mAP (COCO 0.50:0.95, or VOC-style where the track says so)',
  map50: 'detection mAP at IoU 0.5',
  iou: 'mean bounding-box IoU (DAC-SDC)',
  f1: 'F1 score (2021 UAV video: the modified F1)',
  mdice: 'mean Dice over images (2023 segmentation)',
  miou: 'mean IoU over classes (segmentation)',
  recall10: 'Recall@10 (retrieval)',
  robust_accuracy: "mean of the track's first metric over its corrupted robustness splits (docs/robustness.md)",
};

export const MEASURES: readonly MeasureSpec[] = Object.freeze([
  ...ACCURACY_METRICS.map((name) => ({ name, kind: 'fraction' as const, description: ACCURACY_TEXT[name] })),
  { name: 'latency', kind: 'time', description: 'mean inference latency per image (same as latency_mean)' },
  ...LATENCY_STATS.map((s) => ({ name: `latency_${s}`, kind: 'time' as const, description: `per-image latency, ${s === 'std' ? 'standard deviation' : s}` })),
  {
    name: 'latency_p90_early_stopping',
    kind: 'time',
    description: "LoadGen's early-stopping estimate of the per-image p90 latency (0.99 confidence; the record's latency.p90EarlyStopping)",
  },
  {
    name: 'latency_calibrated',
    kind: 'time',
    description: "relative latency x the track's fixed reference latency (the record's calibratedLatency)",
  },
  { name: 'duration', kind: 'time', description: 'wall-clock time of the whole measured run (all images)' },
  { name: 'images', kind: 'count', description: 'images processed in `duration`' },
  { name: 'fps', kind: 'rate', description: 'frames (images) per second; when not given, images / duration, else 1 / mean latency' },
  { name: 'energy', kind: 'energy', description: 'energy of the whole measured run (gross, idle included)' },
  { name: 'window', kind: 'time', description: 'the window the energy was integrated over (default: duration)' },
  { name: 'idle', kind: 'power', description: "idle power measured before the run (the record's idle figure)" },
]);

const byName = new Map(MEASURES.map((m) => [m.name, m]));

export function measureSpec(name: string): MeasureSpec | undefined {
  return byName.get(name);
}

export function knownMeasures(): string {
  return MEASURES.map((m) => m.name).join(', ');
}

/** A measure's value in its kind's base unit, keyed by name: what --set gave. */
export type GivenMeasures = ReadonlyMap<string, { value: number; text: string; number: number; factor: number }>;

/**
 * Parses `name=value` assignments. Unknown names are LPCV_E_MEASURE_UNKNOWN, a name given twice
 * LPCV_E_MEASURE_VALUE, a bad unit LPCV_E_MEASURE_UNIT (parseQuantity).
 */
export function parseAssignments(sets: readonly string[]): GivenMeasures {
  const given = new Map<string, { value: number; text: string; number: number; factor: number }>();
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw new LpcvError('LPCV_E_MEASURE_VALUE', `--set ${set}: expected <measure>=<value>, e.g. energy=36.7J`);
    const name = set.slice(0, eq).trim();
    const text = set.slice(eq + 1);
    const spec = measureSpec(name);
    if (spec === undefined) {
      throw new LpcvError('LPCV_E_MEASURE_UNKNOWN', `--set ${name.slice(0, 40)}: unknown measure (known: ${knownMeasures()})`);
    }
    const key = name === 'latency' ? 'latency_mean' : name;
    if (given.has(key)) throw new LpcvError('LPCV_E_MEASURE_VALUE', `--set ${name}: given twice`);
    const q = parseQuantity(name, spec.kind, text);
    given.set(key, { value: q.value, text, number: q.number, factor: q.factor });
  }
  return given;
}

/**
 * Measures from given values. Latency statistics that were not given are NaN in the LatencyStats (the
 * formulas read them through MeasureView, which treats a non-finite statistic as not measured); latency is
 * null when none was given. The early-stopping p90 and the calibrated latency are absent when not given.
 */
export function measuresFromGiven(given: GivenMeasures): Measures {
  const get = (name: string): number | null => given.get(name)?.value ?? null;
  const accuracy: Record<string, number> = {};
  for (const metric of ACCURACY_METRICS) {
    const v = get(metric);
    if (v !== null) accuracy[metric] = v;
  }
  const anyLatency = [...LATENCY_STATS, 'p90EarlyStopping' as const].some((s) => given.has(latencyMeasureName(s)));
  // Straight from the written unit to ms (6.8ms stays 6.8, not 6.8 x 0.001 x 1000).
  const ms = (s: LatencyStatistic): number => {
    const g = given.get(latencyMeasureName(s));
    return g === undefined ? Number.NaN : g.number * (g.factor * 1000);
  };
  const earlyStopping = given.has(latencyMeasureName('p90EarlyStopping')) ? { p90EarlyStopping: ms('p90EarlyStopping') } : {};
  const latency: MeasuredLatency | null = anyLatency
    ? {
        unit: 'ms',
        count: Number.NaN,
        mean: ms('mean'),
        std: ms('std'),
        min: ms('min'),
        max: ms('max'),
        p50: ms('p50'),
        p90: ms('p90'),
        p95: ms('p95'),
        p99: ms('p99'),
        ci95: [Number.NaN, Number.NaN],
        ...earlyStopping,
      }
    : null;
  const idle = get('idle');
  return {
    accuracy,
    latency,
    calibratedLatencyMs: given.has('latency_calibrated') ? ms('calibrated') : null,
    energyJoules: get('energy'),
    durationSeconds: get('duration'),
    images: get('images'),
    fps: get('fps'),
    energyWindowSeconds: get('window'),
    idle: idle === null ? null : { watts: idle, source: 'measured' },
  };
}
