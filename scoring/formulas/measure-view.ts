/**
 * How the catalog's formulas read Measures: each accessor returns a typed quantity (Energy, Duration, Rate,
 * Power, Fraction from scoring/units) or null when it was not measured, and notes what it read (the
 * result's `inputs`, in the formula's units) and what was missing (the result's `missing`), so that a
 * formula never sees a bare number whose unit it has to guess, and never makes one up.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import { Duration, Energy, Fraction, Power, Rate } from '../units/quantity.js';
import { latencyMeasureName, type LatencyStatistic } from './measure-names.js';
import type { FormulaResult, InputValue, Measures } from './types.js';

/** How seconds per image are obtained: the batch's wall clock over its images, the mean latency, or the first that is known. */
export type TimeSource = 'wall' | 'latency' | 'auto';
export const TIME_SOURCES: readonly TimeSource[] = ['auto', 'wall', 'latency'];

export class MeasureView {
  readonly inputs: Record<string, InputValue> = {};
  private readonly missingNames: string[] = [];
  private readonly why: string[] = [];
  /** The latency statistics read, in order: the first is the result's `statistic`. */
  private readonly statistics: LatencyStatistic[] = [];

  constructor(
    private readonly m: Measures,
    /** `name v1`, for messages. */
    readonly id: string,
    private readonly name: string,
    private readonly version: number,
  ) {}

  note(name: string, value: number, unit: string, from?: string): void {
    this.inputs[name] = from === undefined ? { value, unit } : { value, unit, from };
  }

  private miss(name: string, why: string): null {
    if (!this.missingNames.includes(name)) this.missingNames.push(name);
    this.why.push(why);
    return null;
  }

  /**
   * An accuracy metric. A metric the run did not compute is the track's mistake (its formula asks for a
   * metric its task does not produce): LPCV_E_FORMULA_INPUT, detail.missing naming it.
   */
  accuracy(metric: string): Fraction {
    if (!Object.hasOwn(this.m.accuracy, metric)) {
      const have = Object.keys(this.m.accuracy).join(', ') || 'none';
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `${this.id}: no accuracy metric '${metric}' (measured: ${have})`, { missing: [metric] });
    }
    const a = this.m.accuracy[metric]!;
    if (!(Number.isFinite(a) && a >= 0 && a <= 1)) {
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `${this.id}: accuracy metric '${metric}' is ${a}, not a fraction in [0, 1]`);
    }
    this.note(metric, a, 'fraction');
    return Fraction.of(a);
  }

  energy(): Energy | null {
    const j = this.m.energyJoules;
    if (j === null || j === undefined) return this.miss('energy', 'no energy was measured');
    if (!(Number.isFinite(j) && j >= 0)) return this.miss('energy', `the energy is ${j} J, not a measurement`);
    this.note('energy', j, 'J');
    return Energy.joules(j);
  }

  private used(stat: LatencyStatistic): void {
    if (!this.statistics.includes(stat)) this.statistics.push(stat);
  }

  /**
   * A statistic of the latency per image. The early-stopping p90 is missing when the run had too few timed runs for
   * LoadGen's estimate, the calibrated latency when the track fixes no reference latency (or the reference was not
   * paired): the score is then null with the reason, as for any missing measure.
   */
  latency(stat: LatencyStatistic = 'mean'): Duration | null {
    const name = stat === 'mean' ? 'latency' : latencyMeasureName(stat);
    let ms: number | null | undefined;
    if (stat === 'calibrated') {
      ms = this.m.calibratedLatencyMs;
      if (ms === null || ms === undefined) {
        return this.miss(
          name,
          "no calibrated latency: it needs a reference model paired in the run and the reference's latency fixed in the track (protocol.reference, protocol.referenceLatencyMs)",
        );
      }
    } else {
      const l = this.m.latency;
      if (l === null) return this.miss(name, 'no latency was measured');
      ms = stat === 'p90EarlyStopping' ? l.p90EarlyStopping : l[stat];
      if (ms === null) return this.miss(name, "no early-stopping p90: too few timed runs for LoadGen's estimate at 0.99 confidence");
      if (ms === undefined) return this.miss(name, 'no early-stopping p90 was computed for this run');
    }
    if (!(Number.isFinite(ms) && ms >= 0)) return this.miss(name, `no ${stat} latency`);
    this.note(name, ms, 'ms');
    this.used(stat);
    return Duration.milliseconds(ms);
  }

  duration(): Duration | null {
    const s = this.m.durationSeconds;
    if (s === null || s === undefined || !(Number.isFinite(s) && s >= 0)) return this.miss('duration', 'no wall-clock duration was measured');
    this.note('duration', s, 's');
    return Duration.seconds(s);
  }

  images(): number | null {
    const n = this.m.images;
    if (n === null || n === undefined || !(Number.isInteger(n) && n >= 0)) return this.miss('images', 'the number of images is not known');
    this.note('images', n, 'count');
    return n;
  }

  /** The window the energy covers: its own window when the record has one, else the run's duration. */
  energyWindow(): Duration | null {
    const w = this.m.energyWindowSeconds;
    if (w !== null && w !== undefined && Number.isFinite(w) && w >= 0) {
      this.note('window', w, 's');
      return Duration.seconds(w);
    }
    const s = this.m.durationSeconds;
    if (s === null || s === undefined || !(Number.isFinite(s) && s >= 0)) {
      return this.miss('duration', 'no measured window to multiply idle power by (energy window or duration)');
    }
    this.note('duration', s, 's');
    this.note('window', s, 's', 'duration');
    return Duration.seconds(s);
  }

  /** The record's idle power figure (measured before the run, or the track's). */
  recordIdle(): Power | null {
    const idle = this.m.idle;
    if (idle === null || idle === undefined || !(Number.isFinite(idle.watts) && idle.watts >= 0)) {
      return this.miss('idle', 'the record carries no idle power figure');
    }
    this.note('idle', idle.watts, 'W', idle.source === 'measured' ? 'measured before the run' : "the track's fixed figure");
    return Power.watts(idle.watts);
  }

  /**
   * Frames per second: given directly when the measures have it; else images / duration (a batch's
   * throughput by the wall clock, as the 2021 FPGA track and DAC-SDC counted it); else 1 / mean latency.
   */
  fps(): Rate | null {
    const f = this.m.fps;
    if (f !== null && f !== undefined && Number.isFinite(f) && f >= 0) {
      this.note('fps', f, '1/s');
      return Rate.perSecond(f);
    }
    const s = this.m.durationSeconds;
    const n = this.m.images;
    if (s !== null && s !== undefined && n !== null && n !== undefined && Number.isFinite(s) && s > 0 && Number.isInteger(n) && n > 0) {
      const r = Rate.of(n, Duration.seconds(s));
      this.note('duration', s, 's');
      this.note('images', n, 'count');
      this.note('fps', r.perSecond, '1/s', 'images / duration');
      return r;
    }
    const mean = this.m.latency?.mean;
    if (mean !== undefined && Number.isFinite(mean) && mean > 0) {
      const r = Rate.inverseOf(Duration.milliseconds(mean));
      this.note('latency', mean, 'ms');
      this.used('mean');
      this.note('fps', r.perSecond, '1/s', '1000 / mean latency in ms');
      return r;
    }
    return this.miss('fps', 'no fps: give fps, or duration and images, or a latency');
  }

  /**
   * Seconds per image: `wall` = duration / images (the whole batch by the wall clock); `latency` = the mean
   * per-image latency; `auto` = wall when the run has a duration and an image count, else latency.
   */
  secondsPerImage(source: TimeSource): Duration | null {
    const s = this.m.durationSeconds;
    const n = this.m.images;
    const hasWall = s !== null && s !== undefined && Number.isFinite(s) && s >= 0 && n !== null && n !== undefined && Number.isInteger(n) && n > 0;
    if (source === 'wall' || (source === 'auto' && hasWall)) {
      const d = this.duration();
      const images = this.images();
      if (d === null || images === null) return null;
      if (images === 0) return this.miss('images', 'no images were processed');
      const per = d.per(images);
      this.note('seconds_per_image', per.seconds, 's', 'duration / images');
      return per;
    }
    const mean = this.latency('mean');
    if (mean === null) return null;
    this.note('seconds_per_image', mean.seconds, 's', 'mean latency');
    return mean;
  }

  /** A result: value null with the reasons and the missing measures. */
  unscored(reason?: string): FormulaResult {
    const why = reason ?? (this.why.join('; ') || 'not computable from these measures');
    return {
      formula: this.name,
      version: this.version,
      value: null,
      qualified: false,
      reason: why,
      inputs: { ...this.inputs },
      ...(this.missingNames.length > 0 ? { missing: [...this.missingNames] } : {}),
      ...this.statistic(),
    };
  }

  private statistic(): { statistic?: LatencyStatistic } {
    return this.statistics.length > 0 ? { statistic: this.statistics[0]! } : {};
  }

  /** A result with a value; a value that is not finite becomes null with a reason (never NaN or Infinity). */
  scored(value: number, qualified: boolean, reason?: string): FormulaResult {
    if (!Number.isFinite(value)) return this.unscored(`the score is ${value}${reason ? ` (${reason})` : ''}`);
    return {
      formula: this.name,
      version: this.version,
      value,
      qualified,
      ...(reason === undefined ? {} : { reason }),
      inputs: { ...this.inputs },
      ...this.statistic(),
    };
  }
}

/** A view for formula `name` version `version`. */
export function viewOf(m: Measures, name: string, version: number): MeasureView {
  return new MeasureView(m, `${name} v${version}`, name, version);
}
