/**
 * Compares strings by Unicode code point, as Python's sorted() and `LC_ALL=C ls` on UTF-8 names do.
 * JavaScript's default sort compares UTF-16 code units, which puts astral characters (surrogate pairs,
 * e.g. emoji) before U+E000..U+FFFF; remapping the code units at the first difference fixes that.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

function rank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800; // U+E000..U+FFFF below the surrogates
  if (unit >= 0xd800) return unit + 0x2000; // surrogates (code points >= U+10000) above everything in the BMP
  return unit;
}
