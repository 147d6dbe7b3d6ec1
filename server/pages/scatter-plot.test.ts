/**
 * The scatter's labels: placed from estimated text boxes, deterministically, so that no two labels and no label
 * and marker overlap, every label stays inside the plot, the best-ranked entry keeps its label, and a dropped
 * label's point still has its tooltip. Also the legend, which names only the marker styles drawn.
 */
import { describe, expect, it } from 'vitest';
import type { LeaderboardEntry } from '../leaderboard/index.js';
import { boxesIntersect, estimateTextWidth, placeLabels, type Box } from './label-placement.js';
import { LABEL_FONT_MAX, scatterLegend, scatterPlotSvg } from './scatter-plot.js';

const entry = (i: number, p50: number, top1: number, extra: Partial<LeaderboardEntry> = {}): LeaderboardEntry =>
  ({
    rank: i + 1,
    team: `Team number ${i + 1}`,
    baseline: null,
    submission: `sub${i}`,
    accuracy: top1,
    latency: { unit: 'ms', p50, ci95: [p50 * 0.97, p50 * 1.03], count: 300 },
    pareto: false,
    ...extra,
  }) as LeaderboardEntry;

/** Twelve entries within a few percent of each other in both latency and accuracy, the best first. */
const close = (): LeaderboardEntry[] =>
  Array.from({ length: 12 }, (_, i) => entry(i, 1 + 0.03 * ((i * 7) % 12), 0.9 - 0.002 * ((i * 5) % 12), { pareto: i < 2 }));

/** The labels drawn, with the boxes they were placed in re-estimated from their text and anchor. */
function drawnLabels(svg: string): { text: string; box: Box }[] {
  return [...svg.matchAll(/<text class="label" x="([\d.-]+)" y="([\d.-]+)"(?: text-anchor="(\w+)")?>([^<]*)<\/text>/g)].map((m) => {
    const [x, y, anchor, text] = [Number(m[1]), Number(m[2]), m[3] ?? 'start', m[4]!];
    const width = estimateTextWidth(text, LABEL_FONT_MAX);
    const left = anchor === 'start' ? x : anchor === 'end' ? x - width : x - width / 2;
    return { text, box: { x: left, y: y - LABEL_FONT_MAX, width, height: 1.3 * LABEL_FONT_MAX } };
  });
}

function markers(svg: string): Box[] {
  const circles = [...svg.matchAll(/<circle class="[^"]*" cx="([\d.-]+)" cy="([\d.-]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
  const rects = [...svg.matchAll(/<rect class="[^"]*" x="([\d.-]+)" y="([\d.-]+)"/g)].map((m) => [Number(m[1]) + 5, Number(m[2]) + 5]);
  return [...circles, ...rects].map(([cx, cy]) => ({ x: cx! - 7.5, y: cy! - 7.5, width: 15, height: 15 }));
}

describe('the scatter plot labels', () => {
  it('places labels for many close points without overlapping each other or any marker, inside the plot', () => {
    const svg = scatterPlotSvg(close(), 'top1')!.toString();
    const labels = drawnLabels(svg);
    expect(labels.length).toBeGreaterThan(0);
    expect(labels.length).toBeLessThan(12); // too close for all: some are dropped
    for (const [i, a] of labels.entries()) {
      for (const b of labels.slice(i + 1)) expect(boxesIntersect(a.box, b.box), `${a.text} / ${b.text}`).toBe(false);
      for (const m of markers(svg)) expect(boxesIntersect(a.box, m), a.text).toBe(false);
      expect(a.box.x).toBeGreaterThanOrEqual(90);
      expect(a.box.x + a.box.width).toBeLessThanOrEqual(760 - 30);
      expect(a.box.y).toBeGreaterThanOrEqual(20);
      expect(a.box.y + a.box.height).toBeLessThanOrEqual(440 - 64);
    }
  });

  it('labels the best-ranked entry first, and keeps every point its tooltip', () => {
    // The best entry last in the list: placement follows rank, not the list's order.
    const entries = close().reverse();
    const svg = scatterPlotSvg(entries, 'top1')!.toString();
    const labelled = drawnLabels(svg).map((l) => l.text);
    expect(labelled[0]).toBe('Team number 1');
    const dropped = entries.map((e) => e.team).filter((t) => !labelled.includes(t));
    expect(dropped.length).toBeGreaterThan(0);
    for (const team of dropped) expect(svg).toContain(`<title>${team}: `);
    expect(svg.match(/<title>Team number /g)).toHaveLength(12);
  });

  it('is deterministic, and pure placement drops a label that fits nowhere', () => {
    expect(scatterPlotSvg(close(), 'top1')!.toString()).toBe(scatterPlotSvg(close(), 'top1')!.toString());
    const area = { x: 0, y: 0, width: 100, height: 40 };
    const placed = placeLabels(
      [
        { text: 'ab', px: 50, py: 20 },
        { text: 'a much longer label than fits', px: 52, py: 21 },
      ],
      { fontSize: 10, area, markerHalf: 4 },
    );
    expect(placed.map((p) => [p.text, p.anchor])).toEqual([['ab', 'start']]);
  });

  it('scales with its container: a viewBox and no fixed pixel width', () => {
    const svg = scatterPlotSvg(close(), 'top1')!.toString();
    expect(svg).toMatch(/<svg [^>]*viewBox="0 0 760 440" width="100%" role="img" aria-labelledby="plot-title plot-desc"/);
    expect(svg).not.toMatch(/<svg [^>]*height="/);
  });

  it('has a legend naming the marker styles drawn, and only those', () => {
    const all = scatterLegend([...close(), entry(12, 2, 0.8, { rank: null, baseline: 'linear', team: 'organizers' })]).toString();
    expect(all.match(/<li>/g)).toHaveLength(5);
    expect(all).toContain('a baseline (grey square)');
    expect(all).toContain('the Pareto front (dashed)');
    const one = scatterLegend([entry(0, 1, 0.9, { pareto: true })]).toString();
    expect(one).not.toContain('baseline');
    expect(one).not.toContain('the Pareto front (dashed)');
    expect(one).toContain('on the Pareto front');
    expect(one).toContain("the median's 95% interval");
  });
});
