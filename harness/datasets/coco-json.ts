import { z } from 'zod';
import type { CocoGroundTruth } from '../../scoring/coco-map.js';
import { readDatasetFile } from './dataset-files.js';
import { datasetCorrupt } from './dataset-errors.js';
import { describeIssues } from '../schema-issues.js';

/**
 * The parts of a COCO instances JSON that the harness reads. Unknown keys (info, licenses, segmentation
 * polygons, ...) are accepted and dropped, so that only what the metric needs is kept in memory.
 */

const id = z.number().int().nonnegative();

const imageSchema = z.object({
  id,
  file_name: z.string().min(1),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
});

const annotationSchema = z.object({
  id,
  image_id: id,
  category_id: id,
  bbox: z.tuple([z.number(), z.number(), z.number().nonnegative(), z.number().nonnegative()]),
  area: z.number().nonnegative(),
  iscrowd: z.union([z.literal(0), z.literal(1)]).optional(),
});

const categorySchema = z.object({ id, name: z.string() });

const imagesOnlySchema = z.object({ images: z.array(imageSchema) });
const instancesSchema = z.object({
  images: z.array(imageSchema),
  annotations: z.array(annotationSchema),
  categories: z.array(categorySchema).min(1),
});

export type CocoImage = z.infer<typeof imageSchema>;

/** Ground truth whose images all have a file name, sorted by id. */
export type CocoInstances = Omit<CocoGroundTruth, 'images'> & { images: CocoImage[] };

/**
 * The image list only, ordered by image id (what the inputs need). The file is parsed whole, since JSON
 * cannot be read in part, but annotations and categories are neither validated nor kept.
 */
export async function readCocoImages(file: string): Promise<CocoImage[]> {
  const { images } = parseWith(imagesOnlySchema, await readJson(file), file);
  return checkImages(images, file);
}

/** The whole ground truth, validated: unique ids, annotations pointing at known images and categories. */
export async function readCocoInstances(file: string): Promise<CocoInstances> {
  const gt = parseWith(instancesSchema, await readJson(file), file);
  const images = checkImages(gt.images, file);
  const imageIds = new Set(images.map((im) => im.id));
  const categoryIds = new Set<number>();
  for (const c of gt.categories) {
    if (categoryIds.has(c.id)) throw datasetCorrupt(file, `category id ${c.id} appears twice`);
    categoryIds.add(c.id);
  }
  const annotationIds = new Set<number>();
  for (const a of gt.annotations) {
    if (annotationIds.has(a.id)) throw datasetCorrupt(file, `annotation id ${a.id} appears twice`);
    annotationIds.add(a.id);
    if (!imageIds.has(a.image_id)) throw datasetCorrupt(file, `annotation ${a.id} refers to image ${a.image_id}, which is not in "images"`);
    if (!categoryIds.has(a.category_id)) {
      throw datasetCorrupt(file, `annotation ${a.id} refers to category ${a.category_id}, which is not in "categories"`);
    }
  }
  return { images, annotations: gt.annotations, categories: gt.categories };
}

/** Sorted by id; ids and file names unique; file names stay inside the images folder. */
function checkImages(images: CocoImage[], file: string): CocoImage[] {
  const ids = new Set<number>();
  const names = new Set<string>();
  for (const im of images) {
    if (ids.has(im.id)) throw datasetCorrupt(file, `image id ${im.id} appears twice`);
    if (names.has(im.file_name)) throw datasetCorrupt(file, `file_name ${im.file_name} appears twice`);
    if (im.file_name.startsWith('/') || im.file_name.split(/[\\/]/).includes('..')) {
      throw datasetCorrupt(file, `file_name ${im.file_name} of image ${im.id} leaves the images folder`);
    }
    ids.add(im.id);
    names.add(im.file_name);
  }
  return [...images].sort((a, b) => a.id - b.id);
}

async function readJson(file: string): Promise<unknown> {
  const text = (await readDatasetFile(file)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw datasetCorrupt(file, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw datasetCorrupt(file, describeIssues(result.error.issues, { max: 1 }));
}
