import { LpcvError } from '../../errors/lpcv-error.js';
import { classificationReport } from '../../scoring/classification.js';
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
  throw new LpcvError('LPCV_E_PRED_MISMATCH', `${predictions.kind} predictions cannot be scored against ${labels.task} labels`);
}
