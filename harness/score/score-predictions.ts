import { LpcvError } from '../../errors/lpcv-error.js';
import { classificationReport } from '../../scoring/classification.js';
import { evaluateCocoDetections, type CocoDetection, type CocoGroundTruth } from '../../scoring/coco-map.js';
import { macroF1 } from '../../scoring/f1.js';
import { SegmentationAccumulator } from '../../scoring/segmentation.js';
import type { LabelSet } from '../datasets/types.js';
import type { Predictions } from '../measurement.js';
import type { Track } from '../tracks/track.js';

export interface AccuracyResult {
  /** Metric name -> value in [0, 1], the keys of the result record's `accuracy`. */
  accuracy: Record<string, number>;
  perClass: ({ classIndex: number; name: string | undefined } & Record<string, unknown>)[];
}

/**
 * Score a device's predictions with the labels (on the server, the hidden ones). The predictions must be
 * for exactly the labels' images, in the same order: anything else is LPCV_E_PRED_MISMATCH.
 */
export async function scorePredictions(track: Track, predictions: Predictions, labels: LabelSet): Promise<AccuracyResult> {
  const n = labels.ids.length;
  if (predictions.ids.length !== n || predictions.ids.some((id, i) => id !== labels.ids[i])) {
    throw new LpcvError('LPCV_E_PRED_MISMATCH', `predictions cover ${predictions.ids.length} images, the split has ${n} (ids must match in order)`);
  }
  const name = (c: number): string | undefined => track.classes[c];
  if (labels.task === 'classification' && predictions.kind === 'topk') {
    const numClasses = track.output.numClasses ?? track.classes.length;
    const rep = classificationReport(predictions.topk, labels.labels, numClasses);
    const accuracy: Record<string, number> = { top1: rep.top1 };
    if (track.metrics.includes('top5')) accuracy.top5 = rep.top5;
    // Macro-averaged F1 of the top-1 predictions, for tracks that list it (classes absent from both the
    // labels and the predictions take no part: scoring/f1.ts).
    if (track.metrics.includes('f1'))
      accuracy.f1 = macroF1(
        predictions.topk.map((t) => t[0] ?? -1),
        labels.labels,
        numClasses,
      ).macroF1;
    return { accuracy, perClass: rep.perClass.map((c) => ({ ...c, name: name(c.classIndex) })) };
  }
  if (labels.task === 'segmentation' && predictions.kind === 'label-maps') {
    const acc = new SegmentationAccumulator(track.classes.length, { ignoreIndex: labels.ignoreIndex });
    for (let i = 0; i < n; i++) {
      const gt = await labels.readMask(i);
      const pred = predictions.maps[i]!;
      if (gt.width !== pred.width || gt.height !== pred.height) {
        throw new LpcvError(
          'LPCV_E_MODEL_OUTPUT_SHAPE',
          `label map of image ${labels.ids[i]} is ${pred.width}x${pred.height}, its mask ${gt.width}x${gt.height}`,
        );
      }
      acc.add({ pred: pred.data, gt: gt.data });
    }
    const seg = acc.result();
    return { accuracy: { miou: seg.miou, mdice: seg.mdice }, perClass: seg.perClass.map((c) => ({ ...c, name: name(c.classIndex) })) };
  }
  if (labels.task === 'detection' && predictions.kind === 'detections') {
    const m = evaluateCocoDetections(labels.groundTruth, cocoDetections(track, predictions, labels.groundTruth));
    const classOf = new Map(track.classes.map((c, i) => [c, i]));
    return {
      accuracy: { map: m.map, map50: m.map50 },
      perClass: m.perClass.map((c) => ({ classIndex: classOf.get(c.name) ?? -1, name: c.name, categoryId: c.categoryId, ap: c.ap, ap50: c.ap50 })),
    };
  }
  throw new LpcvError('LPCV_E_PRED_MISMATCH', `${predictions.kind} predictions cannot be scored against ${labels.task} labels`);
}

/**
 * The predictions as COCO results for the ground truth: image i's boxes under groundTruth.images[i].id, each
 * class index under the category of the same name (a track's classes name its COCO categories; a category the
 * track does not name is the track's error, LPCV_E_TRACK_INVALID), corners turned into [x, y, width, height].
 * A class the ground truth has no category for is left out, as COCOeval leaves out categories it does not
 * evaluate; a class index the track does not have is LPCV_E_PRED_MALFORMED.
 */
export function cocoDetections(track: Track, predictions: Extract<Predictions, { kind: 'detections' }>, gt: CocoGroundTruth): CocoDetection[] {
  const categoryOf = new Map<string, number>();
  for (const c of gt.categories) {
    if (!track.classes.includes(c.name)) {
      throw new LpcvError(
        'LPCV_E_TRACK_INVALID',
        `track ${track.name}: the ground truth's category ${JSON.stringify(c.name)} (id ${c.id}) is not one of the track's classes`,
      );
    }
    categoryOf.set(c.name, c.id);
  }
  const out: CocoDetection[] = [];
  predictions.detections.forEach((boxes, i) => {
    const imageId = gt.images[i]!.id;
    for (const d of boxes) {
      const name = track.classes[d.classIndex];
      if (name === undefined) {
        throw new LpcvError(
          'LPCV_E_PRED_MALFORMED',
          `a detection in image ${predictions.ids[i]} has class ${d.classIndex}; the track has ${track.classes.length} classes`,
        );
      }
      const category = categoryOf.get(name);
      if (category === undefined) continue;
      const [x1, y1, x2, y2] = d.box;
      out.push({ image_id: imageId, category_id: category, bbox: [x1, y1, x2 - x1, y2 - y1], score: d.score });
    }
  });
  return out;
}
