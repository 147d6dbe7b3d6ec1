import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LpcvError } from '../../../errors/lpcv-error.js';
import { MAX_DETECTIONS, reachesOutside } from '../../../harness/detection/detection-rules.js';
import type { DetectionPrediction, Predictions } from '../../../harness/measurement.js';
import type { OutputFolder } from './output-checks.js';

/** The detection output file of a package. */
export const DETECTION_OUTPUT_FILE = 'detections.json';

/**
 * `detections.json`: a COCO results list, `[{"image_id": "<input file name>", "category_id": <class index> or
 * "category": "<class name>", "bbox": [x, y, width, height], "score": s}, ...]`, boxes in the input image's
 * pixels. Every image may have none. Refused (LPCV_E_PRED_MALFORMED, naming the entry): not such a list, an
 * unknown image, a class the track does not have, a box of negative size or (sizes known) outside the image
 * by more than half a pixel, more than 100 boxes for one image; a file over maxPredictionsBytes is
 * LPCV_E_OUTPUT_TOO_LARGE.
 */
export async function readDetectionOutputs({ track, ids, names, files, dir, opts }: OutputFolder): Promise<Predictions> {
  if (!files.has(DETECTION_OUTPUT_FILE)) {
    throw new LpcvError('LPCV_E_SOLUTION_NO_OUTPUT', `the package wrote no ${DETECTION_OUTPUT_FILE} into its output folder`, { dir });
  }
  const file = path.join(dir, DETECTION_OUTPUT_FILE);
  const limit = 1024 * 1024 + 16 * 1024 * names.length;
  const size = (await lstat(file)).size;
  if (size > limit) {
    throw new LpcvError('LPCV_E_OUTPUT_TOO_LARGE', `${DETECTION_OUTPUT_FILE} is ${size} bytes: more than the ${limit} bytes read for ${names.length} images`, {
      file,
    });
  }
  const bad = (why: string): LpcvError => new LpcvError('LPCV_E_PRED_MALFORMED', `${DETECTION_OUTPUT_FILE}: ${why}`, { file });
  let list: unknown;
  try {
    list = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(list)) throw bad('expected a list of {image_id, category_id, bbox, score}');
  const index = new Map(names.map((n, i) => [n, i]));
  const out: DetectionPrediction[][] = names.map(() => []);
  list.forEach((entry: unknown, n) => {
    const d = entry as { image_id?: unknown; category_id?: unknown; category?: unknown; bbox?: unknown; score?: unknown };
    if (typeof entry !== 'object' || entry === null) throw bad(`entry ${n} is not an object`);
    const i = typeof d.image_id === 'string' ? index.get(d.image_id) : undefined;
    if (i === undefined) throw bad(`entry ${n}: image_id ${JSON.stringify(d.image_id)} is not an input file name`);
    const cls = typeof d.category === 'string' ? track.classes.indexOf(d.category) : typeof d.category_id === 'number' ? d.category_id : -1;
    if (!Number.isInteger(cls) || cls < 0 || cls >= track.classes.length) {
      throw bad(`entry ${n}: ${JSON.stringify(d.category ?? d.category_id)} is not one of the track's ${track.classes.length} classes`);
    }
    const b = d.bbox;
    if (
      !Array.isArray(b) ||
      b.length !== 4 ||
      !b.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
      typeof d.score !== 'number' ||
      !Number.isFinite(d.score)
    ) {
      throw bad(`entry ${n}: needs a bbox of 4 finite numbers and a finite score`);
    }
    const [x, y, w, h] = b as [number, number, number, number];
    if (w < 0 || h < 0) throw bad(`entry ${n}: a box of negative size [${x}, ${y}, ${w}, ${h}]`);
    const size = opts.sizes?.[i];
    if (size !== undefined && reachesOutside([x, y, x + w, y + h], size.width, size.height)) {
      throw bad(`entry ${n}: box [${x}, ${y}, ${w}, ${h}] reaches outside the ${size.width}x${size.height} image ${names[i]}`);
    }
    const boxes = out[i]!;
    if (boxes.length === MAX_DETECTIONS) throw bad(`more than ${MAX_DETECTIONS} boxes for image ${names[i]}`);
    boxes.push({ box: [x, y, x + w, y + h], score: d.score, classIndex: cls });
  });
  return { kind: 'detections', ids: [...ids], detections: out };
}
