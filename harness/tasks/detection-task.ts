/**
 * Detection (docs/tasks.md, docs/protocol.md "Detection outputs"): boxes per image, COCO mAP against COCO
 * instances with the exact COCOeval (scoring/coco-map.ts).
 */
import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ErrorCode } from '../../errors/codes.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import { evaluateCocoDetections, type CocoDetection, type CocoGroundTruth } from '../../scoring/coco-map.js';
import { readDetections, readSsdHeads } from '../detection/detection-outputs.js';
import { MAX_DETECTIONS } from '../detection/detection-rules.js';
import { decodeSsd } from '../detection/ssd-decode.js';
import { ssdPriors } from '../detection/ssd-priors.js';
import { readDetectionFiles } from '../evaluate/detection-files.js';
import { splitMetrics } from '../evaluate/evaluation-report.js';
import type { Track } from '../tracks/track.js';
import { DETECTION_OUTPUTS, SSD_OUTPUTS } from './output-decoding.js';
import { TASK_FACTS } from './task-catalog.js';
import type { PredictionsOf, TaskDefinition } from './task-definition.js';
import { inputSize } from './input-size.js';
import { checkRowCount } from './wire-rows.js';

const facts = TASK_FACTS.detection;

/** Boxes per image a completion may carry (COCO scores at most 100 per image, by score). */
export const MAX_DETECTIONS_PER_IMAGE = 1000;

const finite = z.number().finite();
const detection = z
  .strictObject({
    box: z.tuple([finite, finite, finite, finite]),
    score: finite,
    classIndex: z.number().int().nonnegative(),
  })
  .refine((d) => d.box[0] <= d.box[2] && d.box[1] <= d.box[3], 'expected box [x1, y1, x2, y2] with x1 <= x2 and y1 <= y2');

/** The task's predictions on the agent wire. */
export const detectionPredictionsSchema = z.strictObject({
  kind: z.literal('detections'),
  ids: z.array(z.string().min(1)),
  detections: z.array(z.array(detection).max(MAX_DETECTIONS_PER_IMAGE)),
});

export const detectionTask: TaskDefinition<'detection'> = {
  name: 'detection',
  predictionKind: 'detections',
  facts,

  postprocess(track) {
    const { width, height } = inputSize(track);
    const ssd = track.output.ssd;
    return {
      kind: 'detections',
      classes: track.classes.length,
      height,
      width,
      maxDetections: ssd?.maxDetections ?? MAX_DETECTIONS,
      ...(ssd ? { ssd: { spec: ssd, priors: ssdPriors(ssd, width, height) } } : {}),
    };
  },
  fetch: (pp) => (pp.kind === 'detections' && pp.ssd ? SSD_OUTPUTS : DETECTION_OUTPUTS),
  decodeImage(outputs, pp) {
    if (pp.kind !== 'detections') throw new Error(`detection cannot decode a ${pp.kind} post-process`);
    if (pp.ssd) {
      const read = readSsdHeads(outputs, pp.ssd.priors.length / 4, pp.classes);
      if (read.kind !== 'ok') return read;
      return { kind: 'ok', row: decodeSsd(read.heads, pp.ssd.priors, pp.ssd.spec, pp.classes, pp.width, pp.height), shape: read.shape };
    }
    const read = readDetections(outputs, pp);
    return read.kind === 'ok' ? { kind: 'ok', row: read.boxes, shape: read.shape } : read;
  },
  assemble: (ids, rows) => ({ kind: 'detections', ids, detections: rows }),

  wire: {
    schema: detectionPredictionsSchema,
    encode: (p) => ({ kind: 'detections', ids: [...p.ids], detections: p.detections }),
    decode(json: unknown, key: string, code: ErrorCode): PredictionsOf<'detection'> {
      const p = json as z.output<typeof detectionPredictionsSchema>;
      checkRowCount(key, 'detections', p.detections.length, p.ids.length, code);
      return { kind: 'detections', ids: p.ids, detections: p.detections };
    },
  },

  async score(track, predictions, labels) {
    const m = evaluateCocoDetections(labels.groundTruth, cocoDetections(track, predictions, labels.groundTruth));
    const classOf = new Map(track.classes.map((c, i) => [c, i]));
    return {
      accuracy: { map: m.map, map50: m.map50 },
      perClass: m.perClass.map((c) => ({ classIndex: classOf.get(c.name) ?? -1, name: c.name, categoryId: c.categoryId, ap: c.ap, ap50: c.ap50 })),
    };
  },

  async evaluate(opts, resolved) {
    const input = await readDetectionFiles(opts.gt, opts.pred);
    const m = evaluateCocoDetections(input.gt, input.detections);
    return {
      task: 'detection',
      ...resolved,
      count: input.gt.images.length,
      numClasses: input.gt.categories.length,
      ...splitMetrics(m, facts.headline),
      detections: input.detections.length,
      perClass: m.perClass.map((c) => ({ categoryId: c.categoryId, name: c.name, ap: c.ap, ap50: c.ap50 })),
    };
  },

  /** The split's COCO instances (its images and their annotations only). */
  writeGroundTruth: (target, labels) => writeFile(target, `${JSON.stringify(labels.groundTruth)}\n`),
  /** A COCO results JSON for the split's ground truth (`lpcv evaluate --task detection` reads it). */
  writePredictions: (target, predictions, labels, track) => writeFile(target, `${JSON.stringify(cocoDetections(track, predictions, labels.groundTruth))}\n`),
};

/**
 * The predictions as COCO results for the ground truth: image i's boxes under groundTruth.images[i].id, each
 * class index under the category of the same name (a track's classes name its COCO categories; a category the
 * track does not name is the track's error, LPCV_E_TRACK_INVALID), corners turned into [x, y, width, height].
 * A class the ground truth has no category for is left out, as COCOeval leaves out categories it does not
 * evaluate; a class index the track does not have is LPCV_E_PRED_MALFORMED.
 */
export function cocoDetections(track: Pick<Track, 'name' | 'classes'>, predictions: PredictionsOf<'detection'>, gt: CocoGroundTruth): CocoDetection[] {
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
