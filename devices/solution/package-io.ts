/**
 * The files a solution package reads and writes (docs/solution-packages.md): the harness writes the inputs as
 * PNG files into the input folder, the package writes its predictions into the output folder, and the
 * harness reads them back into Predictions. Shared by the sandboxed desktop target and the SSH boards, so
 * that a package behaves the same on both.
 *
 * File names: each image id becomes one file name (inputFileNames), and the package's outputs are matched
 * back to ids by those names, never by order.
 */
import { lstat, mkdir, open, opendir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { InputSet } from '../../harness/datasets/types.js';
import { parseClassificationPredictions } from '../../harness/evaluate/classification-files.js';
import { readLabelMap } from '../../harness/evaluate/read-label-map.js';
import { listSome, MAX_LISTED } from '../../harness/evaluate/name-mismatch.js';
import { MAX_DETECTIONS, reachesOutside } from '../../harness/detection/detection-rules.js';
import type { DetectionPrediction, LabelMapPrediction, Predictions } from '../../harness/measurement.js';
import type { AgentTrack } from '../../harness/wire/index.js';

/** Classification outputs: one of these in the output folder (content decides the format, as in `lpcv evaluate`). */
export const CLASSIFICATION_OUTPUT_FILES = ['predictions.json', 'image.list.result'] as const;
/** Where a package may say how long it took (ms, one number); recorded beside the harness's clock, never used. */
export const SELF_REPORTED_TIME_FILE = 'time.txt';

/** Characters kept as they are in a file name; every other character becomes `_`. */
const SAFE_CHAR = /[A-Za-z0-9._-]/;
/** Bytes of a file name before `.png` (well under the 255 of ext4 and of most file systems). */
const MAX_STEM = 200;

/**
 * The input file name of each id, in order. An id that ends in `.png` keeps that ending, any other id gets
 * `.png` added (`00042` -> `00042.png`, `b.jpg` -> `b.jpg.png`: the file is a PNG whatever the id says).
 * Characters other than ASCII letters, digits, `.`, `_` and `-` become `_`, a leading `.` or `-` becomes
 * `_` (no hidden files, nothing that reads as an option), and the stem is cut to 200 characters. When two
 * ids would get the same name (compared without letter case, for case-insensitive file systems), the later
 * one gets `~<its index>` before `.png`; `~` never survives the cleaning, so that name is free.
 */
export function inputFileNames(ids: readonly string[]): string[] {
  const taken = new Set<string>();
  return ids.map((id, index) => {
    const stem = /\.png$/i.test(id) ? id.slice(0, -4) : id;
    let clean = [...stem]
      .map((c) => (SAFE_CHAR.test(c) ? c : '_'))
      .join('')
      .slice(0, MAX_STEM);
    if (clean === '' || clean.startsWith('.') || clean.startsWith('-')) clean = `_${clean.slice(1)}`;
    let name = `${clean}.png`;
    if (taken.has(name.toLowerCase())) name = `${clean}~${index}.png`;
    taken.add(name.toLowerCase());
    return name;
  });
}

/**
 * Writes every image of `inputs` as a PNG (8-bit gray or RGB, as decoded) into `dir` (created if needed),
 * one at a time, and returns the file names in input order (inputFileNames). Pixels only: the input set
 * carries no labels, and nothing else is written.
 */
export async function writeInputFolder(inputs: InputSet, dir: string): Promise<string[]> {
  return (await writeInputFolderWithSizes(inputs, dir)).names;
}

/** writeInputFolder, also giving each image's size (for readOutputFolder's check of label-map sizes). */
export async function writeInputFolderWithSizes(
  inputs: InputSet,
  dir: string,
  onImage?: (done: number, total: number) => void,
): Promise<{ names: string[]; sizes: { width: number; height: number }[] }> {
  const names = inputFileNames(inputs.ids);
  const sizes: { width: number; height: number }[] = [];
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < names.length; i++) {
    const img = await inputs.read(i);
    const raw = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
    // Without the colour space, libvips writes a one-channel image as RGB.
    const png = await (img.channels === 1 ? raw.toColourspace('b-w') : raw).png({ compressionLevel: 6 }).toBuffer();
    await writeFile(path.join(dir, names[i]), png, { mode: 0o644 });
    sizes.push({ width: img.width, height: img.height });
    onImage?.(i + 1, names.length);
  }
  return { names, sizes };
}

export interface ReadOutputOptions {
  /** Each image's size in input order: a label map of another size is LPCV_E_PRED_MISMATCH. */
  readonly sizes?: readonly { readonly width: number; readonly height: number }[];
  /** Entries of the output folder read at most (default DEFAULT_MAX_OUTPUT_FILES); more is LPCV_E_OUTPUT_TOO_LARGE. */
  readonly maxFiles?: number;
}

export const DEFAULT_MAX_OUTPUT_FILES = 100_000;

/**
 * The largest classification predictions file read: 1 MiB, and 4 KiB per image (five class names of a
 * long-named track and the image's name fit many times over). Larger is LPCV_E_OUTPUT_TOO_LARGE, decided from
 * its size before a byte is read, so that a package's 3 GiB file costs the agent nothing.
 */
export function maxPredictionsBytes(images: number): number {
  return 1024 * 1024 + 4096 * images;
}

/**
 * Reads a package's output folder into Predictions for `ids` (in that order).
 *
 * Classification: `predictions.json` or `image.list.result` (exactly one), parsed by the `lpcv evaluate`
 * reader (harness/evaluate/classification-files.ts): `<name> <class>` lines, up to 5 per image best first
 * (the 2020 FPGA format), or JSON `{"<name>": class or [classes]}`; classes by index or by the track's
 * class names; names are the input file names. Segmentation: one PNG label map per input, named like the
 * input file (harness/evaluate/read-label-map.ts decodes it), each value a class index below the track's
 * class count. Detection: `detections.json`, a COCO results list whose `image_id` is the input's file name
 * (readDetections below). Other files (time.txt, logs) are ignored.
 *
 * The submission's faults: nothing there (LPCV_E_SOLUTION_NO_OUTPUT), a file that does not parse or a class
 * out of range (LPCV_E_PRED_MALFORMED), names missing, unknown or of the wrong size (LPCV_E_PRED_MISMATCH).
 */
export async function readOutputFolder(track: AgentTrack, ids: readonly string[], dir: string, opts: ReadOutputOptions = {}): Promise<Predictions> {
  const names = inputFileNames(ids);
  const files = await listOutputFolder(dir, opts.maxFiles ?? DEFAULT_MAX_OUTPUT_FILES);
  if (track.task === 'classification') return { kind: 'topk', ids: [...ids], topk: await readClassification(track, names, files, dir) };
  if (track.task === 'segmentation') return { kind: 'label-maps', ids: [...ids], maps: await readSegmentation(track, names, files, dir, opts) };
  return { kind: 'detections', ids: [...ids], detections: await readDetections(track, names, files, dir, opts) };
}

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
async function readDetections(
  track: AgentTrack,
  names: readonly string[],
  files: Set<string>,
  dir: string,
  opts: ReadOutputOptions,
): Promise<DetectionPrediction[][]> {
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
  return out;
}

/** Pixels of one predicted label map when the inputs' sizes are not known (64 megapixels). */
const MAX_LABEL_MAP_PIXELS = 64 * 1024 * 1024;

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

/**
 * The self-reported time in `time.txt` (one decimal number of milliseconds, optional): recorded beside the
 * harness's wall clock, never used instead of it. A missing file is undefined; an unreadable one too, with a
 * note saying why (it is not worth failing a run over a number the harness never uses).
 */
export async function readSelfReportedMs(dir: string): Promise<{ ms?: number; note?: string }> {
  let text: string;
  try {
    const file = path.join(dir, SELF_REPORTED_TIME_FILE);
    const st = await lstat(file);
    if (!st.isFile()) return { note: `${SELF_REPORTED_TIME_FILE} is not a regular file (a link?); ignored` };
    if (st.size > 1024) return { note: `${SELF_REPORTED_TIME_FILE} is larger than 1 KiB; ignored` };
    text = await readFile(file, 'utf8');
  } catch {
    return {};
  }
  const ms = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(ms) || ms < 0)
    return { note: `${SELF_REPORTED_TIME_FILE} does not hold one number of milliseconds >= 0; ignored` };
  return { ms };
}

/**
 * The regular files of the output folder. Links are left out on purpose: the harness reads the folder on the
 * host, where a link the package made to a host path (the labels of a local server, say) would lead out of
 * the sandbox. The package's processes are all dead by then, so nothing changes between this listing and the
 * reads.
 */
async function listOutputFolder(dir: string, maxFiles: number): Promise<Set<string>> {
  try {
    const files = new Set<string>();
    let seen = 0;
    // Read entry by entry, never the whole listing at once: a folder of millions of names is the package's fault.
    for await (const e of await opendir(dir)) {
      if (++seen > maxFiles) {
        throw new LpcvError('LPCV_E_OUTPUT_TOO_LARGE', `the package's output folder holds more than ${maxFiles} entries`, { dir, maxFiles });
      }
      if (e.isFile()) files.add(e.name);
    }
    return files;
  } catch (e) {
    if (e instanceof LpcvError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new LpcvError('LPCV_E_SOLUTION_NO_OUTPUT', `the output folder ${dir} is gone`, { dir });
    throw e;
  }
}

async function readClassification(track: AgentTrack, names: readonly string[], files: Set<string>, dir: string): Promise<number[][]> {
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
  return names.map((n) => predictions.get(n) as number[]);
}

async function readSegmentation(
  track: AgentTrack,
  names: readonly string[],
  files: Set<string>,
  dir: string,
  opts: ReadOutputOptions,
): Promise<LabelMapPrediction[]> {
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
  return maps;
}

/** Every input name has an output and no output names an input that does not exist: else LPCV_E_PRED_MISMATCH. */
function checkNames(where: string, names: readonly string[], outputs: { has(k: string): boolean; keys(): Iterable<string> }, what: string): void {
  const wanted = new Set(names);
  const missing = names.filter((n) => !outputs.has(n));
  const unknown = [...outputs.keys()].filter((k) => !wanted.has(k));
  if (missing.length === 0 && unknown.length === 0) return;
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`${missing.length} of ${names.length} inputs have no output (${listSome(missing)})`);
  if (unknown.length > 0) parts.push(`${unknown.length} ${what} name no input (${listSome(unknown)})`);
  throw new LpcvError('LPCV_E_PRED_MISMATCH', `${where}: ${parts.join('; ')}`, {
    file: where,
    missingCount: missing.length,
    missing: missing.slice(0, MAX_LISTED),
    unknownCount: unknown.length,
    unknown: unknown.slice(0, MAX_LISTED),
  });
}
