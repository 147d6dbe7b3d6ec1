import { html, type Html } from './html.js';

/** A fraction as a percentage with two decimals (0.9185 -> "91.85%"); an em dash for null. */
export function percent(fraction: number | null | undefined): string {
  return fraction === null || fraction === undefined || !Number.isFinite(fraction) ? '—' : `${(fraction * 100).toFixed(2)}%`;
}

/** Milliseconds with three significant digits ("0.187 ms"). */
export function ms(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : `${value.toPrecision(3)} ms`;
}

/** A score with four significant digits, or an em dash. */
export function scoreText(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  // Four significant digits without an exponent: 17092.7 -> "17,093", 0.012345 -> "0.01235".
  return Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en') : Number(value.toPrecision(4)).toString();
}

/** A time (epoch ms or ISO text) as a <time> element showing UTC to the second. */
export function when(at: number | string | null | undefined): Html {
  if (at === null || at === undefined) return html`—`;
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return html`—`;
  const iso = d.toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace('T', ' ')} UTC</time>`;
}

export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
