/** Small formatting helpers for the readable reports (no colours: output goes to logs as often as to terminals). */

export function pct(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || Number.isNaN(v) ? '-' : `${(v * 100).toFixed(digits)} %`;
}

export function ms(v: number, digits = 4): string {
  if (v >= 100) return v.toFixed(1);
  if (v >= 10) return v.toFixed(2);
  return v.toPrecision(digits);
}

export function int(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

export function num(v: number | null, digits = 4): string {
  if (v === null || !Number.isFinite(v)) return '-';
  if (Math.abs(v) >= 1000) return v.toLocaleString('en-US', { maximumFractionDigits: 1 });
  return v.toPrecision(digits);
}

/** A left-aligned text table; numbers are right-aligned when a column is all numeric-looking. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-+]?[\d.,]+( %)?$|^-$/.test(r[i] ?? '')));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
