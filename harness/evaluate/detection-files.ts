import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { CocoDetection, CocoGroundTruth } from '../../scoring/coco-map.js';
import { listSome, MAX_LISTED } from './name-mismatch.js';
import { stripBom } from './json-text.js';
import { describeIssues, issueKey } from '../schema-issues.js';

/**
 * Reads a COCO instances file (ground truth) and a COCO results file (a device's detections), validates
 * both and checks that every detection names a known image and category.
 *
 * Decisions:
 * - Extra keys are allowed everywhere (COCO files carry licences, URLs, segmentations); only the keys the
 *   metric needs are checked (detections are returned as parsed, extra keys included). Numbers must be
 *   finite, ids integers, box widths and heights >= 0; a score may be any finite number (only its order counts).
 * - A ground-truth annotation without `area` gets w*h of its box. (pycocotools takes `area` from the file,
 *   where the official annotations hold the segmentation mask's area; w*h is the box-only fallback, so
 *   small/medium/large buckets may differ slightly from an official evaluation for such files.)
 * - `iscrowd` defaults to 0; an annotation without `id` gets its 1-based position.
 * - A ground-truth image with no detections is fine (the model found nothing there); a detection whose
 *   image_id or category_id is not in the ground truth is LPCV_E_PRED_MISMATCH.
 */

const finite = z.number();
const id = z.number().int();
const bbox = z.tuple([finite, finite, finite.nonnegative(), finite.nonnegative()]);

export const cocoGroundTruthSchema = z.looseObject({
  images: z.array(z.looseObject({ id, width: finite.positive().optional(), height: finite.positive().optional(), file_name: z.string().optional() })),
  annotations: z.array(
    z.looseObject({
      id: id.optional(),
      image_id: id,
      category_id: id,
      bbox,
      area: finite.nonnegative().optional(),
      iscrowd: z.union([z.literal(0), z.literal(1)]).optional(),
    }),
  ),
  categories: z.array(z.looseObject({ id, name: z.string() })).min(1),
});

export const cocoDetectionSchema = z.looseObject({ image_id: id, category_id: id, bbox, score: finite });

export interface DetectionInput {
  readonly gt: CocoGroundTruth;
  readonly detections: CocoDetection[];
}

export async function readDetectionFiles(gtFile: string, predFile: string): Promise<DetectionInput> {
  const gt = parseCocoGroundTruth(await readFile(gtFile, 'utf8'), gtFile);
  const detections = parseCocoDetections(await readFile(predFile, 'utf8'), predFile, gt);
  return { gt, detections };
}

export function parseCocoGroundTruth(text: string, file: string): CocoGroundTruth {
  const raw = parseJson(text, file, 'LPCV_E_GT_MALFORMED');
  const parsed = cocoGroundTruthSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LpcvError('LPCV_E_GT_MALFORMED', `${file}: ${describeIssues(parsed.error.issues, { max: 1, indices: 'brackets' })}`, {
      file,
      key: issueKey(issue.path, '', 'brackets'),
    });
  }
  const { images, annotations, categories } = parsed.data;
  const imageIds = uniqueIds(images, file, 'images');
  const categoryIds = uniqueIds(categories, file, 'categories');
  const gt: CocoGroundTruth = {
    images: images.map((im) => ({ id: im.id, width: im.width, height: im.height, file_name: im.file_name })),
    annotations: [],
    categories: categories.map((c) => ({ id: c.id, name: c.name })),
  };
  annotations.forEach((a, i) => {
    if (!imageIds.has(a.image_id)) throw gtKeyError(file, `annotations[${i}].image_id`, `no image with id ${a.image_id}`);
    if (!categoryIds.has(a.category_id)) throw gtKeyError(file, `annotations[${i}].category_id`, `no category with id ${a.category_id}`);
    const [x, y, w, h] = a.bbox;
    gt.annotations.push({
      id: a.id ?? i + 1,
      image_id: a.image_id,
      category_id: a.category_id,
      bbox: [x, y, w, h],
      area: a.area ?? w * h,
      iscrowd: a.iscrowd ?? 0,
    });
  });
  return gt;
}

export function parseCocoDetections(text: string, file: string, gt: CocoGroundTruth): CocoDetection[] {
  const raw = parseJson(text, file, 'LPCV_E_PRED_MALFORMED');
  if (!Array.isArray(raw)) {
    throw new LpcvError('LPCV_E_PRED_MALFORMED', `${file}: expected a JSON array of detections [{image_id, category_id, bbox, score}]`, { file });
  }
  const imageIds = new Set(gt.images.map((im) => im.id));
  const categoryIds = new Set(gt.categories.map((c) => c.id));
  const unknownImages = new Set<number>();
  const unknownCategories = new Set<number>();
  const out: CocoDetection[] = new Array(raw.length);
  // Element by element, stopping at the first bad one: a results file can hold millions of detections and
  // one schema pass over the whole array would collect an issue for every bad element. A hand-written check
  // comes first because zod costs ~20 us per element (40 s for COCO test-dev's 2M detections); the schema
  // runs only on an element that check rejects, to say what is wrong with it.
  for (let i = 0; i < raw.length; i++) {
    let d: z.infer<typeof cocoDetectionSchema>;
    if (isDetection(raw[i])) {
      d = raw[i];
    } else {
      const parsed = cocoDetectionSchema.safeParse(raw[i]);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const key = issueKey([i, ...issue.path], '', 'brackets');
        throw new LpcvError('LPCV_E_PRED_MALFORMED', `${file}: ${key}: ${issue.message}`, { file, index: i, key });
      }
      d = parsed.data;
    }
    if (!imageIds.has(d.image_id)) unknownImages.add(d.image_id);
    if (!categoryIds.has(d.category_id)) unknownCategories.add(d.category_id);
    // Kept as parsed (extra keys and all): copying 2M objects costs more than it saves.
    out[i] = d as CocoDetection;
  }
  if (unknownImages.size > 0 || unknownCategories.size > 0) {
    const parts: string[] = [];
    if (unknownImages.size > 0) parts.push(`${unknownImages.size} image_id values are not in the ground truth (${listSome([...unknownImages])})`);
    if (unknownCategories.size > 0)
      parts.push(`${unknownCategories.size} category_id values are not in the ground truth (${listSome([...unknownCategories])})`);
    throw new LpcvError('LPCV_E_PRED_MISMATCH', `${file}: ${parts.join('; ')}`, {
      file,
      unknownImageCount: unknownImages.size,
      unknownImages: [...unknownImages].slice(0, MAX_LISTED),
      unknownCategoryCount: unknownCategories.size,
      unknownCategories: [...unknownCategories].slice(0, MAX_LISTED),
    });
  }
  return out;
}

/** The same test as cocoDetectionSchema, written out for speed (see parseCocoDetections). */
function isDetection(v: unknown): v is z.infer<typeof cocoDetectionSchema> {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  const b = d.bbox;
  return (
    Number.isSafeInteger(d.image_id) &&
    Number.isSafeInteger(d.category_id) &&
    Number.isFinite(d.score) &&
    Array.isArray(b) &&
    b.length === 4 &&
    Number.isFinite(b[0]) &&
    Number.isFinite(b[1]) &&
    Number.isFinite(b[2]) &&
    Number.isFinite(b[3]) &&
    b[2] >= 0 &&
    b[3] >= 0
  );
}

function parseJson(text: string, file: string, code: 'LPCV_E_GT_MALFORMED' | 'LPCV_E_PRED_MALFORMED'): unknown {
  try {
    return JSON.parse(stripBom(text));
  } catch (e) {
    throw new LpcvError(code, `${file}: not valid JSON (${(e as Error).message})`, { file });
  }
}

function uniqueIds(items: readonly { id: number }[], file: string, key: string): Set<number> {
  const ids = new Set<number>();
  items.forEach((item, i) => {
    if (ids.has(item.id)) throw gtKeyError(file, `${key}[${i}].id`, `duplicate id ${item.id}`);
    ids.add(item.id);
  });
  return ids;
}

function gtKeyError(file: string, key: string, message: string): LpcvError {
  return new LpcvError('LPCV_E_GT_MALFORMED', `${file}: ${key}: ${message}`, { file, key });
}

/** `annotations[3].bbox[2]` from a zod issue path. */
