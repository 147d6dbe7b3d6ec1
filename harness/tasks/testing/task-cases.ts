/**
 * One small case per task for the task contract suite (harness/tasks/task-contract.test.ts): a track, its
 * labels, the ground-truth files `lpcv evaluate` reads for them, predictions that are right on some images and
 * wrong on others, and output tensors a model could have produced for one image with the row they decode to.
 */
import type { LabelMask, LabelSet } from '../../datasets/types.js';
import type { Predictions } from '../../measurement.js';
import { makeTrack } from '../../../test/testing/write-images.js';
import type { Track } from '../../tracks/track.js';
import type { OutputTensors, PredictionRow } from '../output-decoding.js';
import type { TaskName } from '../task-catalog.js';

export interface TaskCase {
  readonly track: Track;
  readonly labels: LabelSet;
  /** Right on some images, wrong on others: every headline metric strictly between 0 and 1. */
  readonly predictions: Predictions;
  /** Exactly the labels: every headline metric 1. */
  readonly perfect: Predictions;
  /** One image's outputs as a model would give them, the row they decode to, and the output's name. */
  readonly outputs: { tensors: OutputTensors; row: PredictionRow; outputName: string };
  /** The same outputs with a NaN in them. */
  readonly nanOutputs: OutputTensors;
  /** Outputs of the wrong shape. */
  readonly badShapeOutputs: OutputTensors;
}

const CLASSES = ['cat', 'dog', 'bird'];

/** A track of the task on makeTrack's base (test/testing/write-images.ts): four 2x2 images of three classes. */
function track(task: TaskName, extra: Record<string, unknown>, dir: string): Track {
  return makeTrack(dir, {
    name: `contract-${task}`,
    title: `${task} contract`,
    task,
    classes: CLASSES,
    splits: { all: { start: 0, count: 4, visibility: 'public' } },
    input: { name: 'input', shape: [1, 1, 2, 2], dtype: 'float32', layout: 'NCHW', preprocess: { channels: 'gray', scale: 1 / 255, mean: [0], std: [1] } },
    score: { formula: 'accuracy-per-time', version: 1 },
    ...extra,
  });
}

const f32 = (dims: number[], values: number[]): OutputTensors[string] => ({ dims, type: 'float32', data: Float32Array.from(values) });

function classificationCase(dir: string): TaskCase {
  const ids = ['a.png', 'b.png', 'c.png', 'd.png'];
  const labels = [0, 1, 2, 1];
  return {
    track: track('classification', { dataset: { format: 'image-folder', images: 'images', labels: 'labels.csv' }, metrics: ['top1', 'top5', 'f1'] }, dir),
    labels: { task: 'classification', ids, labels },
    predictions: {
      kind: 'topk',
      ids,
      topk: [
        [0, 1, 2],
        [2, 1, 0],
        [2, 0, 1],
        [0, 2],
      ],
    },
    perfect: { kind: 'topk', ids, topk: labels.map((l) => [l]) },
    outputs: { tensors: { logits: f32([1, 3], [0.1, 2.5, -1]) }, row: [1, 0, 2], outputName: 'logits' },
    nanOutputs: { logits: f32([1, 3], [0.1, Number.NaN, -1]) },
    badShapeOutputs: { logits: f32([1, 4], [0.1, 2.5, -1, 0]) },
  };
}

function detectionCase(dir: string): TaskCase {
  const ids = ['1.png', '2.png', '3.png', '4.png'];
  const groundTruth = {
    images: ids.map((file_name, i) => ({ id: i + 1, file_name, width: 20, height: 20 })),
    annotations: [
      { id: 1, image_id: 1, category_id: 1, bbox: [2, 2, 8, 8] as [number, number, number, number], area: 64, iscrowd: 0 as const },
      { id: 2, image_id: 2, category_id: 2, bbox: [10, 10, 6, 6] as [number, number, number, number], area: 36, iscrowd: 0 as const },
      { id: 3, image_id: 3, category_id: 3, bbox: [0, 0, 10, 5] as [number, number, number, number], area: 50, iscrowd: 0 as const },
      { id: 4, image_id: 4, category_id: 1, bbox: [5, 5, 10, 10] as [number, number, number, number], area: 100, iscrowd: 0 as const },
    ],
    categories: CLASSES.map((name, i) => ({ id: i + 1, name })),
  };
  const exact = groundTruth.annotations.map((a) => [
    {
      box: [a.bbox[0], a.bbox[1], a.bbox[0] + a.bbox[2], a.bbox[1] + a.bbox[3]] as [number, number, number, number],
      score: 0.9,
      classIndex: a.category_id - 1,
    },
  ]);
  return {
    track: track(
      'detection',
      {
        dataset: { format: 'coco', images: 'images', annotations: 'annotations.json' },
        metrics: ['map', 'map50'],
        input: {
          name: 'input',
          shape: [1, 1, 20, 20],
          dtype: 'float32',
          layout: 'NCHW',
          preprocess: { channels: 'gray', scale: 1 / 255, mean: [0], std: [1] },
        },
      },
      dir,
    ),
    labels: { task: 'detection', ids, groundTruth },
    // Image 1 right, image 2 shifted (IoU 0.53), image 3 the wrong class, image 4 right plus a false positive.
    predictions: {
      kind: 'detections',
      ids,
      detections: [
        exact[0]!,
        [{ box: [11, 11, 17, 17], score: 0.8, classIndex: 1 }],
        [{ box: [0, 0, 10, 5], score: 0.7, classIndex: 0 }],
        [...exact[3]!, { box: [0, 0, 4, 4], score: 0.95, classIndex: 0 }],
      ],
    },
    perfect: { kind: 'detections', ids, detections: exact },
    outputs: {
      tensors: {
        boxes: f32([1, 2, 4], [1, 2, 5, 6, 0, 0, 20, 20]),
        scores: f32([1, 2], [0.9, 0.3]),
        classes: { dims: [1, 2], type: 'int64', data: BigInt64Array.from([2n, 0n]) },
      },
      row: [
        { box: [1, 2, 5, 6], score: Math.fround(0.9), classIndex: 2 },
        { box: [0, 0, 20, 20], score: Math.fround(0.3), classIndex: 0 },
      ],
      outputName: 'boxes',
    },
    nanOutputs: { boxes: f32([1, 1, 4], [1, 2, Number.NaN, 6]), scores: f32([1, 1], [0.9]), classes: f32([1, 1], [0]) },
    badShapeOutputs: { boxes: f32([1, 1, 5], [1, 2, 3, 4, 5]), scores: f32([1, 1], [0.9]), classes: f32([1, 1], [0]) },
  };
}

function segmentationCase(dir: string): TaskCase {
  const ids = ['m1.png', 'm2.png', 'm3.png', 'm4.png'];
  const masks = [
    [0, 1, 1, 2],
    [2, 2, 0, 0],
    [1, 1, 1, 1],
    [0, 0, 0, 2],
  ];
  const map = (values: number[]) => ({ width: 2, height: 2, data: Uint8Array.from(values) });
  return {
    track: track('segmentation', { dataset: { format: 'segmentation', images: 'images', masks: 'masks' }, metrics: ['miou', 'mdice'] }, dir),
    labels: {
      task: 'segmentation',
      ids,
      async readMask(i: number): Promise<LabelMask> {
        return map(masks[i]!);
      },
    },
    predictions: { kind: 'label-maps', ids, maps: [map([0, 1, 2, 2]), map([2, 2, 0, 0]), map([1, 0, 1, 1]), map([0, 0, 1, 2])] },
    perfect: { kind: 'label-maps', ids, maps: masks.map(map) },
    // [1, 3, 2, 2] scores: pixel 0 class 2, pixel 1 class 0, pixel 2 a tie of 0 and 1 (the first wins), pixel 3 class 1.
    outputs: { tensors: { logits: f32([1, 3, 2, 2], [0, 5, 3, 0, /* */ 1, 1, 3, 9, /* */ 7, 2, -1, 0]) }, row: map([2, 0, 0, 1]), outputName: 'logits' },
    nanOutputs: { logits: f32([1, 3, 2, 2], [0, 5, 3, 0, 1, 1, 3, Number.POSITIVE_INFINITY, 7, 2, -1, 0]) },
    badShapeOutputs: { logits: f32([1, 2, 2, 2], [0, 5, 3, 0, 1, 1, 3, 9]) },
  };
}

export function taskCase(task: TaskName, dir: string): TaskCase {
  return { classification: classificationCase, detection: detectionCase, segmentation: segmentationCase }[task](dir);
}
