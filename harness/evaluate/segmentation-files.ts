import { closeSync, openSync, readSync } from 'node:fs';
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import { segmentationScores, type SegmentationPair, type SegmentationScores } from '../../scoring/segmentation.js';
import type { InputRole } from './input-paths.js';
import { readLabelMap, type LabelMap } from './label-map-png.js';
import { checkSameKeys } from './name-mismatch.js';

/**
 * Scores a folder of predicted PNG label maps against a folder of ground-truth PNG masks.
 *
 * - Files are matched by name: `a.png` in one folder with `a.png` in the other (the `.png` extension is
 *   matched case-insensitively, so `a.PNG` pairs with `a.png`). Files that do not end in `.png` are ignored
 *   in both folders. A name on one side only is LPCV_E_PRED_MISMATCH.
 * - Masks are decoded with sharp (see readLabelMap for the accepted PNG kinds).
 * - numClasses is the caller's, else the largest ground-truth value (ignoreIndex excluded) + 1. A predicted
 *   value outside [0, numClasses) is LPCV_E_PRED_MALFORMED; pass numClasses when the ground truth may lack
 *   the highest classes.
 *
 * Memory stays flat: segmentationScores pulls pairs from a synchronous iterator while sharp decodes
 * asynchronously, so a first pass decodes one image pair at a time, checks it, and appends its raw values to
 * a temporary file (width x height x 1 or 2 bytes per mask, under os.tmpdir(); removed afterwards); the
 * scoring pass then reads the pairs back one at a time with synchronous reads. Only one pair is in memory at
 * a time in either pass.
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

/** One decoded pair's place in the spill file. */
interface SpilledPair {
  readonly name: string;
  readonly pixels: number;
  readonly offset: number;
  readonly gtBytesPerValue: 1 | 2;
  readonly predBytesPerValue: 1 | 2;
}

export async function scoreSegmentationFolders(gtDir: string, predDir: string, opts: SegmentationFolderOptions = {}): Promise<SegmentationFolderResult> {
  const gtFiles = await listPngFiles(gtDir, 'ground truth');
  const predFiles = await listPngFiles(predDir, 'predictions');
  if (gtFiles.size === 0) throw new LpcvError('LPCV_E_GT_MALFORMED', `${gtDir}: no .png masks in the ground-truth folder`, { file: gtDir });
  checkSameKeys(predDir, gtFiles, predFiles, 'files');
  const names = [...gtFiles.keys()].sort();
  const { ignoreIndex } = opts;
  if (opts.numClasses !== undefined) checkIgnoreIndex(ignoreIndex, opts.numClasses);

  const spillDir = await mkdtemp(join(tmpdir(), 'lpcv-segmentation-'));
  const spillFile = join(spillDir, 'pairs.bin');
  try {
    const spilled: SpilledPair[] = [];
    let gtMax = -1;
    const predMax = new Map<string, number>();
    const fh = await open(spillFile, 'w');
    try {
      let offset = 0;
      for (const name of names) {
        const gtFile = gtFiles.get(name) as string;
        const predFile = predFiles.get(name) as string;
        const [gt, pred] = await Promise.all([readLabelMap(gtFile, 'ground truth'), readLabelMap(predFile, 'predictions')]);
        if (gt.width !== pred.width || gt.height !== pred.height) {
          throw new LpcvError('LPCV_E_PRED_MISMATCH', `${predFile}: prediction is ${pred.width}x${pred.height}, ground truth ${gtFile} is ${gt.width}x${gt.height}`, {
            file: predFile,
            predSize: [pred.width, pred.height],
            gtSize: [gt.width, gt.height],
          });
        }
        const gtImageMax = checkedMax(gt, gtFile, 'ground truth', opts);
        gtMax = Math.max(gtMax, gtImageMax);
        predMax.set(name, checkedMax(pred, predFile, 'predictions', opts));
        spilled.push({ name, pixels: gt.data.length, offset, gtBytesPerValue: bytesPerValue(gt), predBytesPerValue: bytesPerValue(pred) });
        offset = await writeAll(fh, gt.data, offset);
        offset = await writeAll(fh, pred.data, offset);
      }
    } finally {
      await fh.close();
    }

    if (gtMax < 0) throw new LpcvError('LPCV_E_GT_MALFORMED', `${gtDir}: every ground-truth pixel is the ignore index ${ignoreIndex}`, { file: gtDir });
    const numClasses = opts.numClasses ?? gtMax + 1;
    checkIgnoreIndex(ignoreIndex, numClasses);
    if (opts.numClasses === undefined) {
      // Derived numClasses: predictions can only be checked now that every mask has been seen.
      for (const name of names) {
        const max = predMax.get(name) as number;
        if (max >= numClasses) {
          const predFile = predFiles.get(name) as string;
          throw new LpcvError(
            'LPCV_E_PRED_MALFORMED',
            `${predFile}: holds class ${max}, outside [0, ${numClasses}) (numClasses derived from the ground truth's largest class; pass numClasses if the ground truth lacks some classes)`,
            { file: predFile, value: max, numClasses },
          );
        }
      }
    }
    const fd = openSync(spillFile, 'r');
    try {
      const scores = segmentationScores(readSpilledPairs(fd, spilled), numClasses, ignoreIndex === undefined ? {} : { ignoreIndex });
      return { scores, numClasses, files: names };
    } finally {
      closeSync(fd);
    }
  } finally {
    await rm(spillDir, { recursive: true, force: true });
  }
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
      throw new LpcvError(role === 'ground truth' ? 'LPCV_E_GT_MALFORMED' : 'LPCV_E_PRED_MALFORMED', `${dir}: ${earlier} and ${entry.name} differ only in the case of the extension`, {
        file: dir,
      });
    }
    out.set(key, join(dir, entry.name));
  }
  return out;
}

/**
 * The largest value of a mask (ignoreIndex excluded for ground truth). With the caller's numClasses known, a
 * value outside [0, numClasses) is reported here, naming the file and the pixel.
 */
function checkedMax(map: LabelMap, file: string, role: InputRole, opts: SegmentationFolderOptions): number {
  const ignore = role === 'ground truth' ? opts.ignoreIndex : undefined;
  const limit = opts.numClasses ?? Infinity;
  const data = map.data;
  let max = -1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === ignore) continue;
    if (v >= limit) {
      const code = role === 'ground truth' ? 'LPCV_E_GT_MALFORMED' : 'LPCV_E_PRED_MALFORMED';
      const where = `pixel (${i % map.width}, ${Math.floor(i / map.width)})`;
      throw new LpcvError(code, `${file}: ${where} holds class ${v}, outside [0, ${limit})${ignore === undefined ? '' : ` and not the ignore index ${ignore}`}`, {
        file,
        value: v,
        numClasses: limit,
      });
    }
    if (v > max) max = v;
  }
  return max;
}

/** segmentationScores needs the ignore index outside the classes; say so as a usage error, before any decoding when possible. */
function checkIgnoreIndex(ignoreIndex: number | undefined, numClasses: number): void {
  if (ignoreIndex !== undefined && ignoreIndex >= 0 && ignoreIndex < numClasses) {
    throw new LpcvError('LPCV_E_USAGE', `ignoreIndex ${ignoreIndex} is one of the ${numClasses} classes; it must lie outside [0, ${numClasses})`);
  }
}

function bytesPerValue(map: LabelMap): 1 | 2 {
  return map.data instanceof Uint16Array ? 2 : 1;
}

async function writeAll(fh: FileHandle, data: Uint8Array | Uint16Array, offset: number): Promise<number> {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, offset + done);
    done += bytesWritten;
  }
  return offset + done;
}

function* readSpilledPairs(fd: number, spilled: readonly SpilledPair[]): Generator<SegmentationPair> {
  for (const p of spilled) {
    const gt = p.gtBytesPerValue === 2 ? new Uint16Array(p.pixels) : new Uint8Array(p.pixels);
    const pred = p.predBytesPerValue === 2 ? new Uint16Array(p.pixels) : new Uint8Array(p.pixels);
    readFully(fd, gt, p.offset);
    readFully(fd, pred, p.offset + gt.byteLength);
    yield { gt, pred };
  }
}

function readFully(fd: number, into: Uint8Array | Uint16Array, position: number): void {
  const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
  let done = 0;
  while (done < bytes.length) {
    const n = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (n === 0) throw new LpcvError('LPCV_E_INTERNAL', 'segmentation spill file ended early');
    done += n;
  }
}
