/**
 * A measure value written as text, with its unit: `36.7J`, `1.37 Wh`, `6.8ms`, `75%`, `0.75`. The unit
 * must belong to the measure's kind (LPCV_E_MEASURE_UNIT otherwise: `energy=5ms`, `energy=5 furlongs`,
 * or a bare number where the kind needs a unit), and the number must be finite and not negative
 * (LPCV_E_MEASURE_VALUE). Returns the value in the kind's base unit (J, s, W, 1/s, fraction, count).
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import { BASE_UNIT, UNITS, kindOfUnit, unitsOf, type QuantityKind } from './quantity.js';

// A decimal number (no hex, no Infinity, no NaN), then optional spaces, then the unit (anything left).
const NUMBER_THEN_UNIT = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$/s;
const MAX_TEXT = 200;

export interface ParsedQuantity {
  /** In the kind's base unit. */
  readonly value: number;
  readonly kind: QuantityKind;
  /** The unit as written ('' when bare). */
  readonly unit: string;
  /** The number as written and the unit's factor to the base unit (value = number x factor). */
  readonly number: number;
  readonly factor: number;
}

export function parseQuantity(measure: string, kind: QuantityKind, text: string): ParsedQuantity {
  const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
  if (text.length > MAX_TEXT) throw new LpcvError('LPCV_E_MEASURE_VALUE', `${measure}: the value is ${text.length} characters long (at most ${MAX_TEXT})`);
  const m = NUMBER_THEN_UNIT.exec(text);
  if (m === null) {
    throw new LpcvError('LPCV_E_MEASURE_VALUE', `${measure}=${shown}: not a number with a unit (e.g. ${example(kind)})`);
  }
  const number = Number(m[1]);
  const unit = m[2] ?? '';
  const spec = UNITS[kind];
  let factor: number;
  if (unit === '') {
    if (!spec.bare) {
      throw new LpcvError('LPCV_E_MEASURE_UNIT', `${measure}=${shown}: ${kind} needs a unit (${unitsOf(kind)}), e.g. ${example(kind)}`);
    }
    factor = 1;
  } else {
    const u = spec.units.find((s) => s.symbol === unit);
    if (u === undefined) {
      const other = kindOfUnit(unit);
      const what = other === undefined ? `unknown unit '${unit}'` : `'${unit}' is a unit of ${other}`;
      throw new LpcvError('LPCV_E_MEASURE_UNIT', `${measure}=${shown}: ${what}; ${measure} is ${article(kind)} ${kind} (${unitsOf(kind)})`);
    }
    factor = u.factor;
  }
  const value = number * factor;
  if (!Number.isFinite(value)) throw new LpcvError('LPCV_E_MEASURE_VALUE', `${measure}=${shown}: not a finite number`);
  if (value < 0) throw new LpcvError('LPCV_E_MEASURE_VALUE', `${measure}=${shown}: must not be negative`);
  if (kind === 'fraction' && value > 1) {
    throw new LpcvError('LPCV_E_MEASURE_VALUE', `${measure}=${shown}: a fraction must be in [0, 1]${unit === '' ? `; write ${m[1]}% for percent` : ''}`);
  }
  if (kind === 'count' && !Number.isSafeInteger(value)) {
    throw new LpcvError('LPCV_E_MEASURE_VALUE', `${measure}=${shown}: must be a whole number`);
  }
  return { value, kind, unit, number, factor };
}

function example(kind: QuantityKind): string {
  return { energy: '36.7J or 1.37Wh', time: '6.8ms or 495s', power: '1.961W', rate: '30fps', fraction: '0.75 or 75%', count: '600' }[kind];
}

function article(kind: QuantityKind): string {
  return kind === 'energy' ? 'an' : 'a';
}

export { BASE_UNIT };
