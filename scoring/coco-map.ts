/**
 * COCO bbox evaluation as pycocotools' COCOeval (iouType 'bbox', default Params) evaluates, accumulates and
 * summarizes: AP averaged over IoU .50:.05:.95 and 101 recall points, per category, then over the categories
 * that have ground truth; AR at 1/10/100 detections per image; small/medium/large by the annotation's `area`.
 *
 * Where this differs from pycocotools, on purpose:
 * - A detection whose image_id is not among gt.images, or whose category_id is not among gt.categories, is
 *   LPCV_E_PRED_MISMATCH (pycocotools asserts on the first and silently drops the second).
 * - No detections at all scores 0 (pycocotools' loadRes fails on an empty list).
 * - A match is a match even when the ground-truth annotation id is 0 (pycocotools stores matched ids and
 *   tests them against 0, so it counts a match to annotation 0 as a false positive).
 * - A missing `iscrowd` is 0.
 * Annotations whose image or category is not listed in gt are left out, as pycocotools leaves them out.
 */
import { LpcvError } from '../errors/lpcv-error.js';
import { bboxIou } from './bbox-iou.js';
import { accumulateCurves, type AccumulatedCurve, type ScoredImageMatch } from './coco-accumulate.js';
import { matchImage } from './coco-match.js';
import { COCO_AREA_RANGES, COCO_IOU_THRESHOLDS, COCO_MAX_DETS, COCO_RECALL_THRESHOLDS, type AreaRange } from './coco-params.js';
import type { CocoDetection, CocoGroundTruth, CocoMetrics } from './coco-types.js';

export type { CocoDetection, CocoGroundTruth, CocoMetrics } from './coco-types.js';

type Box = readonly [number, number, number, number];
interface GtBox {
  bbox: Box;
  area: number;
  crowd: boolean;
}
interface DtBox {
  bbox: Box;
  score: number;
}

function isBox(b: unknown): b is Box {
  return Array.isArray(b) && b.length === 4 && b.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** Evaluates detections against COCO ground truth. See the module comment for the few deliberate differences. */
export function evaluateCocoDetections(gt: CocoGroundTruth, dets: readonly CocoDetection[]): CocoMetrics {
  const imageIds = [...new Set(gt.images.map((im) => im.id))].sort((a, b) => a - b);
  const imageIndex = new Map(imageIds.map((id, i) => [id, i]));
  const categoryIds = [...new Set(gt.categories.map((c) => c.id))].sort((a, b) => a - b);
  const categoryIndex = new Map(categoryIds.map((id, k) => [id, k]));
  const categoryName = new Map(gt.categories.map((c) => [c.id, c.name]));
  const I = imageIds.length;

  // Ground truth and detections per (category, image) cell, each in file order (as pycocotools keeps them).
  // Key k * I + i: sorting the keys numerically gives categories in id order, images in id order within.
  const cells = new Map<number, { gts: GtBox[]; dts: DtBox[] }>();
  const cell = (k: number, i: number) => {
    let c = cells.get(k * I + i);
    if (c === undefined) cells.set(k * I + i, (c = { gts: [], dts: [] }));
    return c;
  };
  gt.annotations.forEach((a, n) => {
    const i = imageIndex.get(a.image_id);
    const k = categoryIndex.get(a.category_id);
    if (i === undefined || k === undefined) return;
    if (!isBox(a.bbox) || !Number.isFinite(a.area)) {
      throw new LpcvError('LPCV_E_GT_MALFORMED', `annotation ${n} (id ${a.id}) needs a bbox of 4 finite numbers and a finite area`);
    }
    cell(k, i).gts.push({ bbox: a.bbox, area: a.area, crowd: a.iscrowd === 1 });
  });
  dets.forEach((d, n) => {
    const i = imageIndex.get(d.image_id);
    if (i === undefined) throw new LpcvError('LPCV_E_PRED_MISMATCH', `detection ${n} is for image ${d.image_id}, which the ground truth does not list`);
    const k = categoryIndex.get(d.category_id);
    if (k === undefined) throw new LpcvError('LPCV_E_PRED_MISMATCH', `detection ${n} has category ${d.category_id}, which the ground truth does not list`);
    if (!isBox(d.bbox) || typeof d.score !== 'number' || !Number.isFinite(d.score)) {
      throw new LpcvError('LPCV_E_PRED_MALFORMED', `detection ${n} needs a bbox of 4 finite numbers and a finite score`);
    }
    cell(k, i).dts.push({ bbox: d.bbox, score: d.score });
  });

  // Matching per cell and area range, collected per category in image order: matches[k][a][...]
  const maxDet = COCO_MAX_DETS[COCO_MAX_DETS.length - 1];
  const matches: ScoredImageMatch[][][] = categoryIds.map(() => COCO_AREA_RANGES.map(() => []));
  for (const key of [...cells.keys()].sort((x, y) => x - y)) {
    const { gts: g, dts } = cells.get(key) ?? { gts: [], dts: [] };
    // Highest score first, stable (numpy mergesort on -score), then the best maxDet.
    const d = [...dts].sort((x, y) => y.score - x.score).slice(0, maxDet);
    const ious = new Float64Array(d.length * g.length);
    for (let di = 0; di < d.length; di++) {
      for (let gi = 0; gi < g.length; gi++) ious[di * g.length + gi] = bboxIou(d[di].bbox, g[gi].bbox, g[gi].crowd);
    }
    const input = {
      ious,
      numDets: d.length,
      gtArea: g.map((x) => x.area),
      gtCrowd: g.map((x) => x.crowd),
      dtArea: d.map((x) => x.bbox[2] * x.bbox[3]),
    };
    const scores = d.map((x) => x.score);
    const perArea = matches[Math.floor(key / I)];
    COCO_AREA_RANGES.forEach((range, a) => {
      const { states, numGt } = matchImage(input, range, COCO_IOU_THRESHOLDS);
      perArea[a].push({ states, numGt, scores });
    });
  }
  // curves[k][a][m]
  const curves: (AccumulatedCurve | null)[][][] = matches.map((perArea) =>
    perArea.map((images) => accumulateCurves(images, COCO_IOU_THRESHOLDS.length, COCO_RECALL_THRESHOLDS, COCO_MAX_DETS)),
  );

  const R = COCO_RECALL_THRESHOLDS.length;
  const T = COCO_IOU_THRESHOLDS.length;
  const areaIndex = (label: AreaRange['label']) => COCO_AREA_RANGES.findIndex((r) => r.label === label);
  const [all, small, medium, large] = (['all', 'small', 'medium', 'large'] as const).map(areaIndex);
  const last = COCO_MAX_DETS.length - 1;
  const t50 = COCO_IOU_THRESHOLDS.indexOf(0.5);
  const t75 = COCO_IOU_THRESHOLDS.indexOf(0.75);

  /** Mean of precision over the given thresholds and all recall points: one category's AP, or null. */
  const apOf = (c: AccumulatedCurve | null, ts: readonly number[]): number | null => {
    if (c === null) return null;
    let s = 0;
    for (const t of ts) for (let r = 0; r < R; r++) s += c.precision[t * R + r];
    return s / (ts.length * R);
  };
  const arOf = (c: AccumulatedCurve | null): number | null => (c === null ? null : c.recall.reduce((s, v) => s + v, 0) / T);
  /** Mean over categories with ground truth; -1 when there are none (pycocotools' convention). */
  const meanOver = (values: (number | null)[]): number => {
    const v = values.filter((x): x is number => x !== null);
    return v.length === 0 ? -1 : v.reduce((s, x) => s + x, 0) / v.length;
  };
  const allT = [...Array(T).keys()];
  const ap = (a: number, ts: readonly number[] = allT) => meanOver(curves.map((c) => apOf(c[a][last], ts)));
  const ar = (a: number, m: number) => meanOver(curves.map((c) => arOf(c[a][m])));

  return {
    map: ap(all),
    map50: ap(all, [t50]),
    map75: ap(all, [t75]),
    mapSmall: ap(small),
    mapMedium: ap(medium),
    mapLarge: ap(large),
    ar1: ar(all, 0),
    ar10: ar(all, 1),
    ar100: ar(all, last),
    arSmall: ar(small, last),
    arMedium: ar(medium, last),
    arLarge: ar(large, last),
    perClass: categoryIds.map((id, k) => ({
      categoryId: id,
      name: categoryName.get(id) ?? String(id),
      ap: apOf(curves[k][all][last], allT),
      ap50: apOf(curves[k][all][last], [t50]),
    })),
  };
}
