import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { checkName } from './names.js';

function refusal(name: string): string {
  try {
    checkName('team', name);
  } catch (e) {
    expect(e).toBeInstanceOf(LpcvError);
    expect((e as LpcvError).code).toBe('LPCV_E_NAME_INVALID');
    return (e as LpcvError).message;
  }
  throw new Error(`${JSON.stringify(name)} was accepted`);
}

describe('checkName', () => {
  it('accepts letters, digits, - _ . and single spaces between words, up to 64 characters', () => {
    for (const name of ['a', 'Team Rocket', 'UIUC-LPCV_2023.v2', 'x'.repeat(64), 'A b C 1 2 3']) expect(checkName('team', name)).toBe(name);
  });

  it('says what is wrong', () => {
    expect(refusal('')).toBe('team name "" is empty');
    expect(refusal('x'.repeat(65))).toMatch(/is 65 characters long; at most 64/);
    expect(refusal('a/b')).toMatch(/has the character "\/": use letters/);
    expect(refusal('naïve')).toMatch(/has the character "ï"/);
    expect(refusal('tab\tbed')).toMatch(/has the character "\\t"/);
    expect(refusal(' lead')).toMatch(/starts or ends with a space/);
    expect(refusal('trail ')).toMatch(/starts or ends with a space/);
    expect(refusal('two  spaces')).toMatch(/two spaces in a row/);
    expect(() => checkName('agent', '')).toThrow(/^agent name "" is empty$/);
  });
});
