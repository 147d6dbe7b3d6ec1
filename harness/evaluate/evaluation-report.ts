import type { TaskName } from '../tasks/task-catalog.js';
import type { ClassificationPredictionFormat } from './classification-files.js';

/**
 * What `lpcv evaluate` takes and answers (harness/evaluate/evaluate-files.ts), the same shape for every task;
 * each task's definition (harness/tasks/) fills it in.
 */

export type EvaluationTask = TaskName;

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

/** Numeric fields of a metrics object: the headline ones into `accuracy`, the rest (minus counts) into `details`. */
export function splitMetrics(metrics: object, headline: readonly string[], counts: readonly string[] = []): Pick<ReportBase, 'accuracy' | 'details'> {
  const accuracy: Record<string, number> = {};
  const details: Record<string, number> = {};
  for (const key of headline) accuracy[key] = (metrics as Record<string, number>)[key];
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value === 'number' && !headline.includes(key) && !counts.includes(key)) details[key] = value;
  }
  return { accuracy, details };
}

/** `{ name }` when class names are known (so that rows without names have no `name` key at all). */
export function named(classNames: readonly string[] | undefined, index: number): { name?: string } {
  const name = classNames?.[index];
  return name === undefined ? {} : { name };
}
