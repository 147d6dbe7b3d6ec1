import { open } from 'node:fs/promises';
import path from 'node:path';
import { LpcvError } from '../../../errors/lpcv-error.js';
import { readLabelMap } from '../../../harness/evaluate/read-label-map.js';
import type { LabelMapPrediction, Predictions } from '../../../harness/measurement.js';
import { checkNames, type OutputFolder } from './output-checks.js';

/** Pixels of one predicted label map when the inputs' sizes are not known (64 megapixels). */
const MAX_LABEL_MAP_PIXELS = 64 * 1024 * 1024;

/**
 * Segmentation: one PNG label map per input, named like the input file (harness/evaluate/read-label-map.ts
 * decodes it), each value a class index below the track's class count; with the inputs' sizes known, each map
 * of its input's size (checked from the PNG header before a pixel is decoded).
 */
export async function readSegmentationOutputs({ track, ids, names, files, dir, opts }: OutputFolder): Promise<Predictions> {
  // PNG files are matched like `lpcv evaluate` matches them: the extension without letter case.
  const pngs = new Map<string, string>();
  for (const f of [...files].sort()) {
    if (!/\.png$/i.test(f)) continue;
    const key = `${f.slice(0, -4)}.png`;
    if (pngs.has(key)) throw new LpcvError('LPCV_E_PRED_MALFORMED', `${dir}: ${pngs.get(key)} and ${f} differ only in the case of the extension`, { dir });
    pngs.set(key, f);
  }
  if (pngs.size === 0) throw new LpcvError('LPCV_E_SOLUTION_NO_OUTPUT', 'the package wrote no PNG label map into its output folder', { dir });
  checkNames(dir, names, pngs, 'label maps');
  const numClasses = track.classes.length;
  const maps: LabelMapPrediction[] = [];
  for (const [i, name] of names.entries()) {
    const file = path.join(dir, pngs.get(name) as string);
    const want = opts.sizes?.[i];
    // The size its header declares, before any pixel is decoded: a tiny PNG may declare billions of pixels.
    const declared = await pngHeaderSize(file);
    if (declared !== undefined) {
      if (want !== undefined) checkMapSize(file, declared, want);
      else if (declared.width * declared.height > MAX_LABEL_MAP_PIXELS) {
        throw new LpcvError(
          'LPCV_E_OUTPUT_TOO_LARGE',
          `${file}: a label map of ${declared.width}x${declared.height} pixels (at most ${MAX_LABEL_MAP_PIXELS})`,
          { file },
        );
      }
    }
    const map = await readLabelMap(file, 'predictions');
    if (want !== undefined) checkMapSize(file, map, want);
    for (let p = 0; p < map.data.length; p++) {
      if (map.data[p] >= numClasses) {
        throw new LpcvError(
          'LPCV_E_PRED_MALFORMED',
          `${file}: pixel (${p % map.width}, ${Math.floor(p / map.width)}) holds class ${map.data[p]}, outside [0, ${numClasses})`,
          {
            file,
            value: map.data[p],
            numClasses,
          },
        );
      }
    }
    maps.push({ width: map.width, height: map.height, data: map.data });
  }
  return { kind: 'label-maps', ids: [...ids], maps };
}

function checkMapSize(file: string, map: { width: number; height: number }, want: { width: number; height: number }): void {
  if (want.width !== map.width || want.height !== map.height) {
    throw new LpcvError('LPCV_E_PRED_MISMATCH', `${file}: label map is ${map.width}x${map.height}, its input is ${want.width}x${want.height}`, {
      file,
      predSize: [map.width, map.height],
      inputSize: [want.width, want.height],
    });
  }
}

/** Width and height from a PNG's IHDR chunk (the first 24 bytes), or undefined when the file does not start as a PNG. */
async function pngHeaderSize(file: string): Promise<{ width: number; height: number } | undefined> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(24);
    const { bytesRead } = await handle.read(head, 0, 24, 0);
    if (bytesRead < 24 || head.readUInt32BE(0) !== 0x89504e47 || head.toString('latin1', 12, 16) !== 'IHDR') return undefined;
    return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
  } finally {
    await handle.close();
  }
}
