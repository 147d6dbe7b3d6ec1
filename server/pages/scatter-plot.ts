/**
 * The leaderboard's accuracy-versus-latency scatter, drawn on the server as SVG with D3's scales and line
 * generator (d3-scale, d3-shape): a log time axis, each entry's median latency with its 95% interval as a
 * horizontal bar, baselines as grey squares, participants as circles, and the Pareto front as a dashed
 * staircase. No script runs in the browser: the figure is part of the page, like the table it sums up.
 */
import { scaleLinear, scaleLog } from 'd3-scale';
import { curveStepAfter, line } from 'd3-shape';
import type { LeaderboardEntry } from '../leaderboard/index.js';
import { escapeHtml, trusted, type Html } from './html.js';
import { metricLabel } from '../../scoring/formulas/measure-names.js';
import { placeLabels } from './label-placement.js';

const WIDTH = 760;
const HEIGHT = 440;
const M = { top: 20, right: 30, bottom: 64, left: 90 };
/**
 * The largest font size, in SVG units, that style.css gives the labels: on a narrow screen the figure shrinks
 * to about 45% and the text is drawn at 22 units to stay near 10 px. Label boxes are estimated at this size, so
 * they hold at every width (on a wide screen the text is smaller than its box).
 */
export const LABEL_FONT_MAX = 22;
/** Half the side of the square a marker covers: the circle's radius 6 plus its Pareto stroke. */
const MARKER_HALF = 8;

interface Point {
  readonly entry: LeaderboardEntry;
  readonly latency: number;
  readonly lo: number;
  readonly hi: number;
  readonly accuracy: number;
}

const fixed = (n: number): string => (Math.round(n * 10) / 10).toString();

/** Points that can be drawn: a positive finite latency and an accuracy. */
function pointsOf(entries: readonly LeaderboardEntry[]): Point[] {
  return entries.flatMap((entry) => {
    const l = entry.latency;
    if (l === null || entry.accuracy === null || !(l.p50 > 0) || !Number.isFinite(l.p50)) return [];
    const lo = l.ci95[0] > 0 ? Math.min(l.ci95[0], l.p50) : l.p50;
    return [{ entry, latency: l.p50, lo, hi: Math.max(l.ci95[1], l.p50), accuracy: entry.accuracy }];
  });
}

function label(e: LeaderboardEntry): string {
  return e.baseline !== null ? `baseline ${e.baseline}` : e.team;
}

/**
 * The figure's SVG, or null when no entry has both a latency and an accuracy. `metric` names the y axis
 * (e.g. top1). Every text in it is escaped.
 */
export function scatterPlotSvg(entries: readonly LeaderboardEntry[], metric: string): Html | null {
  const points = pointsOf(entries);
  if (points.length === 0) return null;
  const lows = points.map((p) => p.lo);
  const highs = points.map((p) => p.hi);
  let [xMin, xMax] = [Math.min(...lows), Math.max(...highs)];
  // Room on both sides; a single point (or equal latencies) still gets a decade-wide axis.
  if (xMax / xMin < 3) {
    const mid = Math.sqrt(xMin * xMax);
    [xMin, xMax] = [mid / Math.sqrt(10), mid * Math.sqrt(10)];
  }
  const x = scaleLog()
    .domain([xMin / 1.2, xMax * 1.2])
    .range([M.left, WIDTH - M.right]);
  const accs = points.map((p) => p.accuracy * 100);
  let [yMin, yMax] = [Math.min(...accs), Math.max(...accs)];
  if (yMax - yMin < 2) [yMin, yMax] = [yMin - 1, yMax + 1];
  const pad = (yMax - yMin) * 0.08;
  const y = scaleLinear()
    .domain([Math.max(0, yMin - pad), Math.min(100, yMax + pad)])
    .nice()
    .range([HEIGHT - M.bottom, M.top]);

  const parts: string[] = [];
  const yTicks = y.ticks(6);
  const xTicks = x.ticks(6);
  const xFormat = x.tickFormat(6, '~g');
  parts.push('<g class="grid">');
  for (const t of yTicks) parts.push(`<line x1="${M.left}" x2="${WIDTH - M.right}" y1="${fixed(y(t))}" y2="${fixed(y(t))}"/>`);
  for (const t of xTicks) if (xFormat(t) !== '') parts.push(`<line y1="${M.top}" y2="${HEIGHT - M.bottom}" x1="${fixed(x(t))}" x2="${fixed(x(t))}"/>`);
  parts.push('</g>');

  // Axes.
  parts.push('<g class="axis" aria-hidden="true">');
  parts.push(`<line x1="${M.left}" x2="${WIDTH - M.right}" y1="${HEIGHT - M.bottom}" y2="${HEIGHT - M.bottom}"/>`);
  for (const t of xTicks) {
    const text = xFormat(t);
    const tx = fixed(x(t));
    parts.push(`<line x1="${tx}" x2="${tx}" y1="${HEIGHT - M.bottom}" y2="${HEIGHT - M.bottom + (text === '' ? 3 : 6)}"/>`);
    if (text !== '') parts.push(`<text x="${tx}" y="${HEIGHT - M.bottom + 26}" text-anchor="middle">${escapeHtml(text)}</text>`);
  }
  parts.push(`<text x="${(M.left + WIDTH - M.right) / 2}" y="${HEIGHT - 10}" text-anchor="middle">median latency per image (ms, log scale)</text>`);
  parts.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${HEIGHT - M.bottom}"/>`);
  for (const t of yTicks) {
    const ty = fixed(y(t));
    parts.push(`<line x1="${M.left - 6}" x2="${M.left}" y1="${ty}" y2="${ty}"/>`);
    parts.push(`<text x="${M.left - 10}" y="${ty}" dy="0.32em" text-anchor="end">${escapeHtml(`${t}%`)}</text>`);
  }
  parts.push(
    `<text transform="rotate(-90)" x="${-(M.top + HEIGHT - M.bottom) / 2}" y="22" text-anchor="middle">${escapeHtml(`${metricLabel(metric)} (%)`)}</text>`,
  );
  parts.push('</g>');

  // The Pareto front, as a staircase: between two front points the better accuracy is not reached until
  // the slower point's latency.
  const front = points.filter((p) => p.entry.pareto).sort((a, b) => a.latency - b.latency || a.accuracy - b.accuracy);
  if (front.length >= 2) {
    const path = line<Point>()
      .x((p) => x(p.latency))
      .y((p) => y(p.accuracy * 100))
      .curve(curveStepAfter)(front);
    if (path !== null) parts.push(`<path class="front" d="${escapeHtml(path)}"><title>Pareto front</title></path>`);
  }

  // Intervals, then points on top.
  parts.push('<g class="intervals" aria-hidden="true">');
  for (const p of points) {
    const py = fixed(y(p.accuracy * 100));
    parts.push(`<line x1="${fixed(x(p.lo))}" x2="${fixed(x(p.hi))}" y1="${py}" y2="${py}" stroke="#57606a" stroke-width="1.5"/>`);
  }
  parts.push('</g>');
  parts.push('<g class="points">');
  for (const p of points) {
    const px = x(p.latency);
    const py = y(p.accuracy * 100);
    const e = p.entry;
    const cls = `point${e.baseline !== null ? ' baseline' : ''}${e.pareto ? ' pareto' : ''}`;
    const tip = `${label(e)}: ${(p.accuracy * 100).toFixed(2)}% ${metricLabel(metric)}, ${p.latency.toPrecision(3)} ms median [${p.lo.toPrecision(3)}, ${p.hi.toPrecision(3)}]${e.pareto ? ', on the Pareto front' : ''}`;
    const shape =
      e.baseline !== null
        ? `<rect class="${cls}" x="${fixed(px - 5)}" y="${fixed(py - 5)}" width="10" height="10">`
        : `<circle class="${cls}" cx="${fixed(px)}" cy="${fixed(py)}" r="6">`;
    const close = e.baseline !== null ? '</rect>' : '</circle>';
    parts.push(`<a href="#entry-${escapeHtml(e.submission)}">${shape}<title>${escapeHtml(tip)}</title>${close}</a>`);
  }
  parts.push('</g>');
  parts.push(labelsSvg(points, x, y));

  const onFront = front.map((p) => label(p.entry)).join(', ');
  const desc = `${points.length} entries. Pareto front (no entry is both faster and more accurate): ${onFront || 'none'}. Grey squares are baselines; bars show each median's 95% interval.`;
  return trusted(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-labelledby="plot-title plot-desc" class="plot" data-points="${points.length}">` +
      `<title id="plot-title">${escapeHtml(`${metricLabel(metric)} versus median latency`)}</title><desc id="plot-desc">${escapeHtml(desc)}</desc>` +
      parts.join('') +
      '</svg>',
  );
}

/**
 * The points' labels, placed in rank order (ranked entries first, then baselines and unranked ones) where they
 * clear the markers and each other; a label with no room is dropped (the table is the full key, and the point
 * keeps its tooltip). aria-hidden: the points' titles already say who they are.
 */
function labelsSvg(points: readonly Point[], x: (v: number) => number, y: (v: number) => number): string {
  const byRank = [...points].sort((a, b) => (a.entry.rank ?? Infinity) - (b.entry.rank ?? Infinity));
  const requests = byRank.map((p) => ({ text: label(p.entry), px: x(p.latency), py: y(p.accuracy * 100) }));
  const area = { x: M.left, y: M.top, width: WIDTH - M.left - M.right, height: HEIGHT - M.top - M.bottom };
  const placed = placeLabels(requests, { fontSize: LABEL_FONT_MAX, area, markerHalf: MARKER_HALF });
  const texts = placed.map(
    (l) => `<text class="label" x="${fixed(l.x)}" y="${fixed(l.y)}"${l.anchor === 'start' ? '' : ` text-anchor="${l.anchor}"`}>${escapeHtml(l.text)}</text>`,
  );
  return `<g class="labels" aria-hidden="true">${texts.join('')}</g>`;
}

/**
 * The figure's key, as HTML under the SVG so that its text is real text at the page's size on any screen: one
 * item for each marker style the figure draws. The swatches carry their colours (style.css's) as attributes rather
 * than the figure's classes, so that they are not taken for points.
 */
export function scatterLegend(entries: readonly LeaderboardEntry[]): Html {
  const points = pointsOf(entries);
  const swatch = (inner: string): string => `<svg class="key" viewBox="0 0 28 16" width="28" height="16" aria-hidden="true">${inner}</svg>`;
  const items: string[] = [];
  if (points.some((p) => p.entry.baseline === null)) items.push(`${swatch('<circle cx="14" cy="8" r="6" fill="#0b57d0"/>')} an entry`);
  if (points.some((p) => p.entry.baseline !== null))
    items.push(`${swatch('<rect x="9" y="3" width="10" height="10" fill="#6e7781"/>')} a baseline (grey square)`);
  if (points.some((p) => p.entry.pareto))
    items.push(`${swatch('<circle cx="14" cy="8" r="6" fill="#0b57d0" stroke="#bc4c00" stroke-width="2.5"/>')} on the Pareto front`);
  if (points.filter((p) => p.entry.pareto).length >= 2)
    items.push(`${swatch('<path d="M1 8H27" fill="none" stroke="#bc4c00" stroke-width="2" stroke-dasharray="6 3"/>')} the Pareto front (dashed)`);
  if (points.length > 0) items.push(`${swatch('<line x1="2" x2="26" y1="8" y2="8" stroke="#57606a" stroke-width="1.5"/>')} the median's 95% interval`);
  return trusted(`<ul class="plot-legend" aria-label="Legend">${items.map((i) => `<li>${i}</li>`).join('')}</ul>`);
}
