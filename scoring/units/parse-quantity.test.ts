import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { parseQuantity } from './parse-quantity.js';
import { Duration, Energy, Power, Rate } from './quantity.js';

const value = (kind: Parameters<typeof parseQuantity>[1], text: string) => parseQuantity('x', kind, text).value;

describe('quantities with units', () => {
  it('converts energy to joules (1 Wh = 3600 J)', () => {
    expect(value('energy', '36.7J')).toBe(36.7);
    expect(value('energy', '1.37Wh')).toBeCloseTo(4932, 9); // 1.37 x 3600
    expect(value('energy', '1370mWh')).toBeCloseTo(4932, 9); // 1370 x 3.6
    expect(value('energy', '2 kJ')).toBe(2000);
    expect(value('energy', '0.001kWh')).toBeCloseTo(3600, 9);
    expect(Energy.joules(4932).wattHours).toBeCloseTo(1.37, 12);
  });

  it('converts time to seconds, power to watts, rates to per second, percent to a fraction', () => {
    expect(value('time', '6.8ms')).toBeCloseTo(0.0068, 15);
    expect(value('time', '495s')).toBe(495);
    expect(value('time', '250us')).toBeCloseTo(0.00025, 15);
    expect(value('time', '2min')).toBe(120);
    expect(value('power', '1961mW')).toBeCloseTo(1.961, 12);
    expect(value('rate', '30fps')).toBe(30);
    expect(value('rate', '30')).toBe(30);
    expect(value('fraction', '75%')).toBe(0.75);
    expect(value('fraction', '0.75')).toBe(0.75);
    expect(value('count', '600')).toBe(600);
  });

  it('keeps kinds apart: W x s is J, n over s is a rate', () => {
    expect(Power.watts(1.961).over(Duration.seconds(3600)).wattHours).toBeCloseTo(1.961, 12);
    expect(Rate.of(20288, Duration.seconds(1014.4)).perSecond).toBeCloseTo(20, 12);
    expect(Rate.inverseOf(Duration.milliseconds(50)).perSecond).toBeCloseTo(20, 12);
    expect(Duration.seconds(150).per(600).milliseconds).toBe(250);
  });

  it('refuses a unit of the wrong kind, an unknown unit, or no unit where one is needed', () => {
    const wrong = errorOf(() => parseQuantity('energy', 'energy', '5ms'));
    expect(wrong.code).toBe('LPCV_E_MEASURE_UNIT');
    expect(wrong.message).toBe("energy=5ms: 'ms' is a unit of time; energy is an energy (J, mJ, kJ, Wh, mWh, kWh)");
    expect(errorOf(() => parseQuantity('energy', 'energy', '5 furlongs')).message).toMatch(/unknown unit 'furlongs'/);
    expect(errorOf(() => parseQuantity('latency', 'time', '5W')).message).toMatch(/'W' is a unit of power; latency is a time/);
    // case matters: wh is not Wh, MS is not ms
    expect(errorOf(() => parseQuantity('energy', 'energy', '1wh')).code).toBe('LPCV_E_MEASURE_UNIT');
    expect(errorOf(() => parseQuantity('latency', 'time', '1MS')).code).toBe('LPCV_E_MEASURE_UNIT');
    const bare = errorOf(() => parseQuantity('energy', 'energy', '36.7'));
    expect(bare.code).toBe('LPCV_E_MEASURE_UNIT');
    expect(bare.message).toMatch(/energy needs a unit/);
    expect(errorOf(() => parseQuantity('duration', 'time', '495')).code).toBe('LPCV_E_MEASURE_UNIT');
    expect(errorOf(() => parseQuantity('images', 'count', '600ms')).code).toBe('LPCV_E_MEASURE_UNIT');
  });

  it('refuses values that are not finite, negative, out of range or not numbers', () => {
    const pct = errorOf(() => parseQuantity('accuracy', 'fraction', '75'));
    expect(pct.code).toBe('LPCV_E_MEASURE_VALUE');
    expect(pct.message).toMatch(/\[0, 1\]; write 75% for percent/);
    expect(errorOf(() => parseQuantity('accuracy', 'fraction', '101%')).code).toBe('LPCV_E_MEASURE_VALUE');
    expect(errorOf(() => parseQuantity('energy', 'energy', '-3J')).message).toMatch(/negative/);
    expect(errorOf(() => parseQuantity('energy', 'energy', '1e400J')).message).toMatch(/not a finite number/);
    expect(errorOf(() => parseQuantity('energy', 'energy', 'NaNJ')).code).toBe('LPCV_E_MEASURE_VALUE');
    expect(errorOf(() => parseQuantity('energy', 'energy', 'Infinity J')).code).toBe('LPCV_E_MEASURE_VALUE');
    expect(errorOf(() => parseQuantity('energy', 'energy', '0x10J')).code).toBe('LPCV_E_MEASURE_UNIT');
    expect(errorOf(() => parseQuantity('energy', 'energy', '')).code).toBe('LPCV_E_MEASURE_VALUE');
    expect(errorOf(() => parseQuantity('images', 'count', '2.5')).message).toMatch(/whole number/);
    expect(errorOf(() => parseQuantity('energy', 'energy', `${'1'.repeat(300)}J`)).message).toMatch(/at most 200/);
  });
});
