import type { SsdSpec } from './ssd-spec.js';

/**
 * The priors of an SSD spec for an input of width x height pixels, as [cx, cy, w, h] in pixels, prior after
 * prior (the order the model's outputs follow: ssd-spec.ts). Pure.
 */
export function ssdPriors(spec: Pick<SsdSpec, 'featureMaps'>, width: number, height: number): Float64Array {
  const boxes: number[] = [];
  for (const fm of spec.featureMaps) {
    const boxesOfCell: [number, number][] = [[fm.minSize, fm.minSize]];
    if (fm.maxSize !== undefined) {
      const s = Math.sqrt(fm.minSize * fm.maxSize);
      boxesOfCell.push([s, s]);
    }
    for (const r of fm.aspectRatios) {
      const q = Math.sqrt(r);
      boxesOfCell.push([fm.minSize * q, fm.minSize / q], [fm.minSize / q, fm.minSize * q]);
    }
    for (let i = 0; i < fm.size; i++) {
      for (let j = 0; j < fm.size; j++) {
        const cx = ((j + 0.5) / fm.size) * width;
        const cy = ((i + 0.5) / fm.size) * height;
        for (const [w, h] of boxesOfCell) boxes.push(cx, cy, w, h);
      }
    }
  }
  return Float64Array.from(boxes);
}

/** How many priors the spec makes (the `P` of the model's outputs). */
export function ssdPriorCount(spec: Pick<SsdSpec, 'featureMaps'>): number {
  return spec.featureMaps.reduce((n, fm) => n + fm.size * fm.size * (1 + (fm.maxSize !== undefined ? 1 : 0) + 2 * fm.aspectRatios.length), 0);
}
