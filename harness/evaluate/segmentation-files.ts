import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import { SegmentationAccumulator, type SegmentationScores } from '../../scoring/segmentation.js';
import type { InputRole } from './input-paths.js';
import type { LabelMap } from '../datasets/label-map-png.js';
import { readLabelMap } from './read-label-map.js';
import { checkSameKeys } from './name-mismatch.js';

/**
 * Scores a folder of predicted PNG label maps against a folder of ground-truth PNG masks.
 *
 * - Files are matched by name: `a.png` in one folder with `a.png` in the other (the `.png` extension is
 *   matched case-insensitively, so `a.PNG` pairs with `a.png`). Files that do not end in `.png` are ignored
 *   in both folders. A name on one side only is LPCV_E_PRED_MISMATCH.
 * - Masks are decoded with sharp (see decodeLabelMapPng for the accepted PNG kinds).
 * - numClasses is the caller's, else the largest ground-truth value (ignoreIndex excluded) + 1. A predicted
 *   value outside [0, numClasses) is LPCV_E_PRED_MALFORMED; pass numClasses when the ground truth may lack
 *   the highest classes.
 *
 * Memory stays flat and nothing is written to disk (the ground truth may be hidden and must not be copied):
 * the scoring pass decodes one (ground truth, prediction) pair at a time, checks it and adds it to a
 * SegmentationAccumulator. Without the caller's numClasses, a first pass decodes only the ground-truth
 * masks, one at a time, to find their largest class; every mask is then decoded twice, which costs time but
 * no memory.
 */

export interface SegmentationFolderOptions {
  readonly numClasses?: number;
  readonly ignoreIndex?: number;
}

export interface SegmentationFolderResult {
  readonly scores: SegmentationScores;
  readonly numClasses: number;
  /** Matched file names, in the order scored (sorted). */
  readonly files: readonly string[];
}

export async function scoreSegmentationFolders(gtDir: string, predDir: string, opts: SegmentationFolderOptions = {}): Promise<SegmentationFolderResult> {
  const gtFiles = await listPngFiles(gtDir, 'ground truth');
  const predFiles = await listPngFiles(predDir, 'predictions');
  if (gtFiles.size === 0) throw new LpcvError('LPCV_E_GT_MALFORMED', `${gtDir}: no .png masks in the ground-truth folder`, { file: gtDir });
  checkSameKeys(predDir, gtFiles, predFiles, 'files');
  const names = [...gtFiles.keys()].sort();
  const { ignoreIndex } = opts;
  const noGtPixel = (): LpcvError =>
    new LpcvError('LPCV_E_GT_MALFORMED', `${gtDir}: every ground-truth pixel is the ignore index ${ignoreIndex}`, { file: gtDir });

  let numClasses: number;
  if (opts.numClasses !== undefined) {
    numClasses = opts.numClasses;
    checkIgnoreIndex(ignoreIndex, numClasses);
  } else {
    // First pass: the ground truth's largest class, one mask in memory at a time.
    let largest = -1;
    for (const name of names) {
      const gtFile = gtFiles.get(name) as string;
      largest = Math.max(largest, checkedMax(await readLabelMap(gtFile, 'ground truth'), gtFile, 'ground truth', ignoreIndex, Infinity));
    }
    if (largest < 0) throw noGtPixel();
    numClasses = largest + 1;
    checkIgnoreIndex(ignoreIndex, numClasses);
  }

  const acc = new SegmentationAccumulator(numClasses, ignoreIndex === undefined ? {} : { ignoreIndex });
  // Scoring pass: one decoded pair in memory at a time.
  let gtMax = -1;
  for (const name of names) {
    const gtFile = gtFiles.get(name) as string;
    const predFile = predFiles.get(name) as string;
    const [gt, pred] = await Promise.all([readLabelMap(gtFile, 'ground truth'), readLabelMap(predFile, 'predictions')]);
    if (gt.width !== pred.width || gt.height !== pred.height) {
      throw new LpcvError(
        'LPCV_E_PRED_MISMATCH',
        `${predFile}: prediction is ${pred.width}x${pred.height}, ground truth ${gtFile} is ${gt.width}x${gt.height}`,
        {
          file: predFile,
          predSize: [pred.width, pred.height],
          gtSize: [gt.width, gt.height],
        },
      );
    }
    gtMax = Math.max(gtMax, checkedMax(gt, gtFile, 'ground truth', ignoreIndex, numClasses));
    if (opts.numClasses !== undefined) {
      checkedMax(pred, predFile, 'predictions', undefined, numClasses);
    } else {
      const max = checkedMax(pred, predFile, 'predictions', undefined, Infinity);
      if (max >= numClasses) {
        throw new LpcvError(
          'LPCV_E_PRED_MALFORMED',
          `${predFile}: holds class ${max}, outside [0, ${numClasses}) (numClasses derived from the ground truth's largest class; pass numClasses if the ground truth lacks some classes)`,
          { file: predFile, value: max, numClasses },
        );
      }
    }
    acc.add({ gt: gt.data, pred: pred.data });
  }
  if (gtMax < 0) throw noGtPixel();
  return { scores: acc.result(), numClasses, files: names };
}

/** `.png` files of a folder, keyed by name with the extension written `.png`; two files with one key are an error. */
export async function listPngFiles(dir: string, role: InputRole): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!(entry.isFile() || entry.isSymbolicLink()) || !/\.png$/i.test(entry.name)) continue;
    const key = `${entry.name.slice(0, -4)}.png`;
    const earlier = out.get(key);
    if (earlier !== undefined) {
      throw new LpcvError(
        role === 'ground truth' ? 'LPCV_E_GT_MALFORMED' : 'LPCV_E_PRED_MALFORMED',
        `${dir}: ${earlier} and ${entry.name} differ only in the case of the extension`,
        {
          file: dir,
        },
      );
    }
    out.set(key, join(dir, entry.name));
  }
  return out;
}

/**
 * The largest value of a mask, `ignore` excluded. A value of `limit` or more is reported here, naming the file
 * and the pixel (a limit of Infinity only measures).
 */
function checkedMax(map: LabelMap, file: string, role: InputRole, ignore: number | undefined, limit: number): number {
  const data = map.data;
  let max = -1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === ignore) continue;
    if (v >= limit) {
      const code = role === 'ground truth' ? 'LPCV_E_GT_MALFORMED' : 'LPCV_E_PRED_MALFORMED';
      const where = `pixel (${i % map.width}, ${Math.floor(i / map.width)})`;
      throw new LpcvError(
        code,
        `${file}: ${where} holds class ${v}, outside [0, ${limit})${ignore === undefined ? '' : ` and not the ignore index ${ignore}`}`,
        {
          file,
          value: v,
          numClasses: limit,
        },
      );
    }
    if (v > max) max = v;
  }
  return max;
}

/** The accumulator needs the ignore index outside the classes; say so as a usage error, before any decoding when possible. */
function checkIgnoreIndex(ignoreIndex: number | undefined, numClasses: number): void {
  if (ignoreIndex !== undefined && ignoreIndex >= 0 && ignoreIndex < numClasses) {
    throw new LpcvError('LPCV_E_USAGE', `ignoreIndex ${ignoreIndex} is one of the ${numClasses} classes; it must lie outside [0, ${numClasses})`);
  }
}
