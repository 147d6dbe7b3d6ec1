/**
 * Where the scatter's point labels go, decided on the server from the text alone (no browser measures it):
 * each label's box is estimated from its characters, tried right, left, above and below its point, and kept
 * at the first place that stays inside the plot and clears every point marker and every label placed before
 * it; otherwise the label is dropped (the point keeps its tooltip, and the table is the full key). Callers
 * pass labels in rank order, so the best entries keep theirs. Pure: the same points give the same labels.
 */

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LabelRequest {
  readonly text: string;
  /** The point's centre, in SVG units. */
  readonly px: number;
  readonly py: number;
}

export interface PlacedLabel {
  readonly text: string;
  /** The text's anchor point and alignment, as SVG's x, y (baseline) and text-anchor. */
  readonly x: number;
  readonly y: number;
  readonly anchor: 'start' | 'middle' | 'end';
  /** The estimated box the text stays within. */
  readonly box: Box;
}

export interface PlacementOptions {
  /** The largest font size the text may be drawn at, in SVG units (the stylesheet's narrow-screen size). */
  readonly fontSize: number;
  /** The plot area labels must stay inside. */
  readonly area: Box;
  /** Half the side of the square kept clear around every point (marker radius plus its stroke). */
  readonly markerHalf: number;
}

/**
 * A conservative width in ems: proportional fonts average about 0.5 em per lowercase letter and about 0.55 per
 * digit, so this errs wide: M, W, m, w, @ and % get 0.95, other capitals 0.78, narrow letters, punctuation and
 * spaces 0.4, everything else 0.62.
 */
function glyphEm(c: string): number {
  if (/[MWmw@%]/.test(c)) return 0.95;
  if (/[A-Z]/.test(c)) return 0.78;
  if (/[iljtf.,:;'|!I ]/.test(c)) return 0.4;
  return 0.62;
}

export function estimateTextWidth(text: string, fontSize: number): number {
  let ems = 0;
  for (const c of text) ems += glyphEm(c);
  return ems * fontSize;
}

export function boxesIntersect(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function inside(inner: Box, outer: Box): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

/** The label's candidate places around its point, in the order tried. */
function candidates(r: LabelRequest, width: number, o: PlacementOptions): PlacedLabel[] {
  const fs = o.fontSize;
  // A box from 1 em above the baseline to 0.3 em below it holds ascenders and descenders.
  const height = 1.3 * fs;
  const gap = o.markerHalf + 3;
  const place = (bx: number, by: number, anchor: PlacedLabel['anchor']): PlacedLabel => {
    const x = anchor === 'start' ? bx : anchor === 'end' ? bx + width : bx + width / 2;
    return { text: r.text, x, y: by + fs, anchor, box: { x: bx, y: by, width, height } };
  };
  const midY = r.py - height / 2;
  return [
    place(r.px + gap, midY, 'start'),
    place(r.px - gap - width, midY, 'end'),
    place(r.px - width / 2, r.py - gap - height, 'middle'),
    place(r.px - width / 2, r.py + gap, 'middle'),
  ];
}

/**
 * The labels that fit, in the order asked; a label that fits nowhere is left out. Every point of the plot is
 * one request, so the markers to clear are the requests' points.
 */
export function placeLabels(requests: readonly LabelRequest[], o: PlacementOptions): PlacedLabel[] {
  const h = o.markerHalf;
  const markers: Box[] = requests.map((r) => ({ x: r.px - h, y: r.py - h, width: 2 * h, height: 2 * h }));
  const placed: PlacedLabel[] = [];
  for (const r of requests) {
    const width = estimateTextWidth(r.text, o.fontSize);
    const fit = candidates(r, width, o).find(
      (c) => inside(c.box, o.area) && !markers.some((m) => boxesIntersect(c.box, m)) && !placed.some((p) => boxesIntersect(c.box, p.box)),
    );
    if (fit !== undefined) placed.push(fit);
  }
  return placed;
}
