import { resolve } from 'node:path';
import { classificationReport } from '../../scoring/classification.js';
import { evaluateCocoDetections } from '../../scoring/coco-map.js';
import { callerNumClasses, type ClassSpace } from './class-values.js';
import { readClassificationFiles, type ClassificationPredictionFormat } from './classification-files.js';
import { readDetectionFiles } from './detection-files.js';
import { checkInputPath } from './input-paths.js';
import { scoreSegmentationFolders } from './segmentation-files.js';

/**
 * `lpcv evaluate`: scores a predictions file a device produced against ground truth, without running
 * anything. Classification and detection read one file on each side, segmentation one folder on each side.
 */

export type EvaluationTask = 'classification' | 'detection' | 'segmentation';

export interface EvaluateFilesOptions {
  task: EvaluationTask;
  /** Ground-truth file (classification, detection) or folder of PNG masks (segmentation). */
  gt: string;
  /** Predictions file, or folder of PNG label maps. */
  pred: string;
  /** Classification and segmentation; detection takes its categories from the ground truth. */
  numClasses?: number;
  /** Class names by index: lets classification files name classes, and labels per-class rows. Not for detection. */
  classNames?: readonly string[];
  /** Segmentation only: a ground-truth value that is not scored (e.g. 255). */
  ignoreIndex?: number;
}

// Types, not interfaces: rows and reports stay assignable to Record<string, unknown> for generic printers.
type ReportBase = {
  /** Absolute paths of the inputs. */
  gt: string;
  pred: string;
  /** Images scored: classification and segmentation images, detection ground-truth images. */
  count: number;
  numClasses: number;
  /** The task's headline metrics, fractions in [0, 1]. */
  accuracy: Record<string, number>;
  /** Further metrics, fractions in [0, 1] or -1 where COCO has no ground truth in range. No counts. */
  details: Record<string, number>;
};

export type ClassificationClassRow = {
  classIndex: number;
  name?: string;
  count: number;
  top1: number | null;
};
export type DetectionClassRow = {
  categoryId: number;
  name: string;
  ap: number | null;
  ap50: number | null;
};
export type SegmentationClassRow = {
  classIndex: number;
  name?: string;
  iou: number | null;
  dice: number | null;
};

export type EvaluationReport =
  | (ReportBase & { task: 'classification'; predictionFormat: ClassificationPredictionFormat; perClass: ClassificationClassRow[] })
  | (ReportBase & { task: 'detection'; detections: number; perClass: DetectionClassRow[] })
  | (ReportBase & { task: 'segmentation'; skippedImages: number; perClass: SegmentationClassRow[] });

/** The headline metrics per task; every other numeric metric goes to `details`. */
const HEADLINE = { classification: ['top1', 'top5'], detection: ['map', 'map50'], segmentation: ['miou', 'mdice'] } as const;

export async function evaluateFiles(opts: EvaluateFilesOptions): Promise<EvaluationReport> {
  const kind = opts.task === 'segmentation' ? 'dir' : 'file';
  await checkInputPath(opts.gt, 'ground truth', kind);
  await checkInputPath(opts.pred, 'predictions', kind);
  const paths = { gt: resolve(opts.gt), pred: resolve(opts.pred) };
  const space: ClassSpace = { numClasses: opts.numClasses, classNames: opts.classNames };

  switch (opts.task) {
    case 'classification': {
      const input = await readClassificationFiles(opts.gt, opts.pred, space);
      const r = classificationReport(input.topk, input.labels, input.numClasses);
      return {
        task: 'classification',
        ...paths,
        count: input.labels.length,
        numClasses: input.numClasses,
        ...split(r, HEADLINE.classification),
        predictionFormat: input.predictionFormat,
        perClass: r.perClass.map((c) => ({ classIndex: c.classIndex, ...named(opts.classNames, c.classIndex), count: c.count, top1: c.top1 })),
      };
    }
    case 'detection': {
      const input = await readDetectionFiles(opts.gt, opts.pred);
      const m = evaluateCocoDetections(input.gt, input.detections);
      return {
        task: 'detection',
        ...paths,
        count: input.gt.images.length,
        numClasses: input.gt.categories.length,
        ...split(m, HEADLINE.detection),
        detections: input.detections.length,
        perClass: m.perClass.map((c) => ({ categoryId: c.categoryId, name: c.name, ap: c.ap, ap50: c.ap50 })),
      };
    }
    case 'segmentation': {
      const r = await scoreSegmentationFolders(opts.gt, opts.pred, { numClasses: callerNumClasses(space), ignoreIndex: opts.ignoreIndex });
      return {
        task: 'segmentation',
        ...paths,
        count: r.scores.images,
        numClasses: r.numClasses,
        ...split(r.scores, HEADLINE.segmentation, ['images', 'skippedImages']),
        skippedImages: r.scores.skippedImages,
        perClass: r.scores.perClass.map((c) => ({ classIndex: c.classIndex, ...named(opts.classNames, c.classIndex), iou: c.iou, dice: c.dice })),
      };
    }
  }
}

/** Numeric fields of a metrics object: the headline ones into `accuracy`, the rest (minus counts) into `details`. */
function split(metrics: object, headline: readonly string[], counts: readonly string[] = []): Pick<ReportBase, 'accuracy' | 'details'> {
  const accuracy: Record<string, number> = {};
  const details: Record<string, number> = {};
  for (const key of headline) accuracy[key] = (metrics as Record<string, number>)[key];
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value === 'number' && !headline.includes(key) && !counts.includes(key)) details[key] = value;
  }
  return { accuracy, details };
}

/** `{ name }` when class names are known (so that rows without names have no `name` key at all). */
function named(classNames: readonly string[] | undefined, index: number): { name?: string } {
  const name = classNames?.[index];
  return name === undefined ? {} : { name };
}
