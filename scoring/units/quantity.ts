/**
 * Physical quantities with their units, so that a formula cannot mix joules with watt-hours or
 * milliseconds with seconds: each kind is its own class with a private constructor, made only through a
 * named constructor that says the unit (Energy.wattHours(1.37)), and read only through a getter that says
 * the unit (e.joules, e.wattHours). TypeScript treats classes with private members nominally, so an Energy
 * is not a Duration and a bare number is neither.
 *
 * Stored in SI base units: joules, seconds, watts, per second. 1 Wh = 3600 J exactly.
 */

const SECONDS_PER_HOUR = 3600;

export class Energy {
  private constructor(private readonly j: number) {}
  static joules(j: number): Energy {
    return new Energy(j);
  }
  static wattHours(wh: number): Energy {
    return new Energy(wh * SECONDS_PER_HOUR);
  }
  get joules(): number {
    return this.j;
  }
  get wattHours(): number {
    return this.j / SECONDS_PER_HOUR;
  }
  minus(other: Energy): Energy {
    return new Energy(this.j - other.j);
  }
}

export class Duration {
  private constructor(private readonly s: number) {}
  static seconds(s: number): Duration {
    return new Duration(s);
  }
  static milliseconds(ms: number): Duration {
    return new Duration(ms / 1000);
  }
  get seconds(): number {
    return this.s;
  }
  get milliseconds(): number {
    return this.s * 1000;
  }
  /** This duration shared out over `n` items (seconds per image from a batch's wall time). */
  per(n: number): Duration {
    return new Duration(this.s / n);
  }
}

export class Power {
  private constructor(private readonly w: number) {}
  static watts(w: number): Power {
    return new Power(w);
  }
  get watts(): number {
    return this.w;
  }
  /** Power held for a duration: W x s = J. */
  over(d: Duration): Energy {
    return Energy.joules(this.w * d.seconds);
  }
}

/** Events per second (frames per second, images per second). */
export class Rate {
  private constructor(private readonly hz: number) {}
  static perSecond(hz: number): Rate {
    return new Rate(hz);
  }
  /** n events in duration d. */
  static of(n: number, d: Duration): Rate {
    return new Rate(n / d.seconds);
  }
  /** One event every d (fps from a per-image latency). */
  static inverseOf(d: Duration): Rate {
    return new Rate(1 / d.seconds);
  }
  get perSecond(): number {
    return this.hz;
  }
}

/** A proportion in [0, 1] (accuracy, mAP, IoU, Dice); `percent` where a formula wants percent. */
export class Fraction {
  private constructor(private readonly f: number) {}
  static of(f: number): Fraction {
    return new Fraction(f);
  }
  static percent(p: number): Fraction {
    return new Fraction(p / 100);
  }
  get fraction(): number {
    return this.f;
  }
  get percent(): number {
    return this.f * 100;
  }
}

export type QuantityKind = 'energy' | 'time' | 'power' | 'rate' | 'fraction' | 'count';

export interface UnitSpec {
  /** The symbol as written after the number (case matters: mW is not MW). */
  readonly symbol: string;
  /** Multiply a value in this unit by factor to get the kind's base unit (J, s, W, 1/s, fraction, count). */
  readonly factor: number;
}

/**
 * The units each kind accepts, base unit first. A fraction and a count may be written bare; energy, time
 * and power must carry their unit (a bare `energy=36.7` could be J or Wh: that is the mistake this
 * prevents). A bare rate is per second.
 */
export const UNITS: Readonly<Record<QuantityKind, { readonly bare: boolean; readonly units: readonly UnitSpec[] }>> = {
  energy: {
    bare: false,
    units: [
      { symbol: 'J', factor: 1 },
      { symbol: 'mJ', factor: 1e-3 },
      { symbol: 'kJ', factor: 1e3 },
      { symbol: 'Wh', factor: SECONDS_PER_HOUR },
      { symbol: 'mWh', factor: SECONDS_PER_HOUR / 1000 },
      { symbol: 'kWh', factor: SECONDS_PER_HOUR * 1000 },
    ],
  },
  time: {
    bare: false,
    units: [
      { symbol: 's', factor: 1 },
      { symbol: 'ms', factor: 1e-3 },
      { symbol: 'us', factor: 1e-6 },
      { symbol: 'µs', factor: 1e-6 },
      { symbol: 'min', factor: 60 },
      { symbol: 'h', factor: SECONDS_PER_HOUR },
    ],
  },
  power: {
    bare: false,
    units: [
      { symbol: 'W', factor: 1 },
      { symbol: 'mW', factor: 1e-3 },
      { symbol: 'kW', factor: 1e3 },
    ],
  },
  rate: {
    bare: true,
    units: [
      { symbol: 'fps', factor: 1 },
      { symbol: '/s', factor: 1 },
      { symbol: '1/s', factor: 1 },
      { symbol: 'Hz', factor: 1 },
    ],
  },
  fraction: { bare: true, units: [{ symbol: '%', factor: 0.01 }] },
  count: { bare: true, units: [] },
};

/** The base unit each kind is stored in, as the CLI and the result's `inputs` print it. */
export const BASE_UNIT: Readonly<Record<QuantityKind, string>> = {
  energy: 'J',
  time: 's',
  power: 'W',
  rate: '1/s',
  fraction: 'fraction',
  count: 'count',
};

/** The kind a unit symbol belongs to, or undefined for an unknown symbol. */
export function kindOfUnit(symbol: string): QuantityKind | undefined {
  for (const [kind, spec] of Object.entries(UNITS) as [QuantityKind, (typeof UNITS)[QuantityKind]][]) {
    if (spec.units.some((u) => u.symbol === symbol)) return kind;
  }
  return undefined;
}

/** The symbols a kind accepts, for messages: `J, mJ, kJ, Wh, mWh, kWh`. */
export function unitsOf(kind: QuantityKind): string {
  const spec = UNITS[kind];
  const symbols = spec.units.map((u) => u.symbol);
  if (spec.bare) symbols.unshift(kind === 'fraction' ? 'a bare fraction in [0, 1]' : kind === 'count' ? 'a bare whole number' : 'bare (per second)');
  return symbols.join(', ');
}
