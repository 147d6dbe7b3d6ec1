import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { coresToMask, parseCores } from './cpu-mask.js';

describe('cores lists and taskset masks', () => {
  it('parses ranges and lists, sorted and without repeats', () => {
    expect(parseCores('4-7')).toEqual([4, 5, 6, 7]);
    expect(parseCores('7')).toEqual([7]);
    expect(parseCores('0,2,4-5')).toEqual([0, 2, 4, 5]);
    expect(parseCores('5,4-5, 1')).toEqual([1, 4, 5]);
  });
  it('makes the hex mask taskset takes (bit n is core n)', () => {
    expect(coresToMask([4, 5, 6, 7])).toBe('f0'); // Pixel 2/4 big cores, as TFLite's README shows
    expect(coresToMask([7])).toBe('80'); // the Snapdragon 855 prime core (Pixel 4, LG G8)
    expect(coresToMask([0])).toBe('1');
    expect(coresToMask([0, 2, 4, 5])).toBe('35');
    expect(coresToMask([63])).toBe('8000000000000000');
    expect(coresToMask(parseCores('0-9'))).toBe('3ff');
  });
  for (const bad of ['', '7-4', 'a', '1,,2', '-1', '64', '4-', '1.5']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      expect(() => parseCores(bad)).toThrow(LpcvError);
      try {
        parseCores(bad);
      } catch (e) {
        expect((e as LpcvError).code).toBe('LPCV_E_ANDROID_SPEC');
      }
    });
  }
  it('refuses an empty set', () => expect(() => coresToMask([])).toThrow(LpcvError));
});
