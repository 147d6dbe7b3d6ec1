/**
 * The files a solution package reads and writes (docs/solution-packages.md): the harness writes the inputs as
 * PNG files into the input folder, the package writes its predictions into the output folder, and the
 * harness reads them back into Predictions. Shared by the sandboxed desktop target and the SSH boards, so
 * that a package behaves the same on both.
 *
 * File names: each image id becomes one file name (inputFileNames), and the package's outputs are matched
 * back to ids by those names, never by order.
 */
import { lstat, mkdir, opendir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadSharp } from '../../harness/datasets/load-sharp.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { InputSet } from '../../harness/datasets/types.js';
import type { Predictions } from '../../harness/measurement.js';
import type { AgentTrack } from '../../harness/wire/index.js';
import { DEVICE_TASKS } from '../tasks/device-tasks.js';
import type { ReadOutputOptions } from './outputs/output-checks.js';

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
  const sharp = await loadSharp();
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

export const DEFAULT_MAX_OUTPUT_FILES = 100_000;

/**
 * Reads a package's output folder into Predictions for `ids` (in that order), by the track's task's reader
 * (devices/tasks/device-tasks.ts; the readers are in devices/solution/outputs/). Other files (time.txt, logs)
 * are ignored.
 *
 * The submission's faults: nothing there (LPCV_E_SOLUTION_NO_OUTPUT), a file that does not parse or a class
 * out of range (LPCV_E_PRED_MALFORMED), names missing, unknown or of the wrong size (LPCV_E_PRED_MISMATCH).
 */
export async function readOutputFolder(track: AgentTrack, ids: readonly string[], dir: string, opts: ReadOutputOptions = {}): Promise<Predictions> {
  const names = inputFileNames(ids);
  const files = await listOutputFolder(dir, opts.maxFiles ?? DEFAULT_MAX_OUTPUT_FILES);
  return DEVICE_TASKS[track.task].readPackageOutputs({ track, ids, names, files, dir, opts });
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
