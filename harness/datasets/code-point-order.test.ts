import { describe, expect, it } from 'vitest';
import { compareCodePoints } from './code-point-order.js';

describe('compareCodePoints', () => {
  it('orders as Python sorted() does: by code point, not by UTF-16 unit', () => {
    // U+1F600 (a surrogate pair in UTF-16) sorts after U+FF21 by code point, before it by code unit.
    const names = ['b.png', '\u{1F600}.png', '\uFF21.png', 'B.png', 'a.png', 'a.png.png', '10.png', '9.png', 'é.png'];
    expect([...names].sort(compareCodePoints)).toEqual(['10.png', '9.png', 'B.png', 'a.png', 'a.png.png', 'b.png', 'é.png', '\uFF21.png', '\u{1F600}.png']);
    expect([...names].sort()).not.toEqual([...names].sort(compareCodePoints));
  });

  it('puts a prefix first and is zero for equal strings', () => {
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('\u{1F600}', '\u{1F600}')).toBe(0);
    expect(compareCodePoints('\u{1F600}', '\u{1F601}')).toBeLessThan(0);
  });
});
