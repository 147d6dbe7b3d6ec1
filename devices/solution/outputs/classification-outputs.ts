import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LpcvError } from '../../../errors/lpcv-error.js';
import { parseClassificationPredictions } from '../../../harness/evaluate/classification-files.js';
import type { Predictions } from '../../../harness/measurement.js';
import { checkNames, maxPredictionsBytes, type OutputFolder } from './output-checks.js';

/** Classification outputs: one of these in the output folder (content decides the format, as in `lpcv evaluate`). */
export const CLASSIFICATION_OUTPUT_FILES = ['predictions.json', 'image.list.result'] as const;

/**
 * Classification: `predictions.json` or `image.list.result` (exactly one), parsed by the `lpcv evaluate` reader
 * (harness/evaluate/classification-files.ts): `<name> <class>` lines, up to 5 per image best first (the 2020
 * FPGA format), or JSON `{"<name>": class or [classes]}`; classes by index or by the track's class names; names
 * are the input file names.
 */
export async function readClassificationOutputs({ track, ids, names, files, dir }: OutputFolder): Promise<Predictions> {
  const present = CLASSIFICATION_OUTPUT_FILES.filter((f) => files.has(f));
  if (present.length === 0) {
    throw new LpcvError('LPCV_E_SOLUTION_NO_OUTPUT', `the package wrote no ${CLASSIFICATION_OUTPUT_FILES.join(' or ')} into its output folder`, { dir });
  }
  if (present.length > 1) {
    throw new LpcvError('LPCV_E_PRED_MALFORMED', `the package wrote both ${present.join(' and ')}; write one of them`, { dir });
  }
  const file = path.join(dir, present[0]);
  const limit = maxPredictionsBytes(names.length);
  const size = (await lstat(file)).size;
  if (size > limit) {
    throw new LpcvError('LPCV_E_OUTPUT_TOO_LARGE', `${present[0]} is ${size} bytes: more than the ${limit} bytes read for ${names.length} images`, {
      file,
      bytes: size,
      limit,
    });
  }
  const text = await readFile(file, 'utf8');
  const { predictions } = parseClassificationPredictions(text, file, { classNames: track.classes, numClasses: track.classes.length });
  checkNames(file, names, predictions, 'images');
  return { kind: 'topk', ids: [...ids], topk: names.map((n) => predictions.get(n) as number[]) };
}
