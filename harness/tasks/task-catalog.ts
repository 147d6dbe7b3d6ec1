/**
 * The tasks the harness runs, and the facts about each that the track schema and the pages need without
 * loading any task's code: the one list (harness/tasks/task-registry.ts holds each task's parts, in the
 * same order). A new task is a new entry here and a new definition there.
 */

export const TASK_NAMES = ['classification', 'detection', 'segmentation'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** The `kind` of each task's Predictions (harness/measurement.ts). */
export const PREDICTION_KIND = { classification: 'topk', detection: 'detections', segmentation: 'label-maps' } as const;
export type PredictionKindOf<T extends TaskName> = (typeof PREDICTION_KIND)[T];

export interface TaskFacts {
  /** The data set formats (track files' dataset.format) that hold this task's labels. */
  readonly datasetFormats: readonly ('idx' | 'image-folder' | 'coco' | 'segmentation')[];
  /** The accuracy metrics its scorer gives (a track's `metrics` pick among them); the headline ones first. */
  readonly metrics: readonly ('top1' | 'top5' | 'f1' | 'map' | 'map50' | 'miou' | 'mdice')[];
  /** The metrics `lpcv evaluate` reports as the headline; the rest go to its details. */
  readonly headline: readonly string[];
  /** What `lpcv evaluate` reads on each side: one file, or one folder. */
  readonly evaluateInput: 'file' | 'dir';
  /** What `lpcv evaluate` counts. */
  readonly countNoun: string;
  /** The per-class columns reports show beyond class index and name: the row's key, a heading, and what it holds. */
  readonly perClass: readonly { readonly key: string; readonly label: string; readonly holds: 'count' | 'fraction' }[];
}

export const TASK_FACTS: Readonly<Record<TaskName, TaskFacts>> = {
  classification: {
    datasetFormats: ['idx', 'image-folder'],
    metrics: ['top1', 'top5', 'f1'],
    headline: ['top1', 'top5'],
    evaluateInput: 'file',
    countNoun: 'items',
    perClass: [
      { key: 'count', label: 'images', holds: 'count' },
      { key: 'top1', label: 'top-1', holds: 'fraction' },
    ],
  },
  detection: {
    datasetFormats: ['coco'],
    metrics: ['map', 'map50'],
    headline: ['map', 'map50'],
    evaluateInput: 'file',
    countNoun: 'images',
    perClass: [
      { key: 'ap', label: 'AP', holds: 'fraction' },
      { key: 'ap50', label: 'AP@.50', holds: 'fraction' },
    ],
  },
  segmentation: {
    datasetFormats: ['segmentation'],
    metrics: ['miou', 'mdice'],
    headline: ['miou', 'mdice'],
    evaluateInput: 'dir',
    countNoun: 'items',
    perClass: [
      { key: 'iou', label: 'IoU', holds: 'fraction' },
      { key: 'dice', label: 'Dice', holds: 'fraction' },
    ],
  },
};

/** The task whose labels a data set format holds. */
export function taskOfDatasetFormat(format: TaskFacts['datasetFormats'][number]): TaskName {
  return TASK_NAMES.find((t) => TASK_FACTS[t].datasetFormats.includes(format))!;
}
