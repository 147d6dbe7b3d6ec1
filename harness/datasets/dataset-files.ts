import { readFile, readdir, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { compareCodePoints } from './code-point-order.js';
import { datasetCorrupt, datasetMissing, errnoCode } from './dataset-errors.js';

const MISSING = new Set(['ENOENT', 'ENOTDIR']);

/** Reads a whole data set file; a missing file is LPCV_E_DATASET_MISSING, any other failure CORRUPT. */
export async function readDatasetFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw fileError(e, path, 'data set file');
  }
}

/** Size and modification time of a data set file (the key of the IDX cache). */
export async function statDatasetFile(path: string): Promise<{ size: number; mtimeMs: number }> {
  let s;
  try {
    s = await stat(path);
  } catch (e) {
    throw fileError(e, path, 'data set file');
  }
  if (!s.isFile()) throw datasetCorrupt(path, 'is not a regular file');
  return { size: s.size, mtimeMs: s.mtimeMs };
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/**
 * The names of the PNG/JPEG files in a folder (not recursive), sorted by code point. Extensions match
 * case-insensitively; names starting with '.' (editor and macOS droppings) and other files are skipped.
 */
export async function listImageFiles(dir: string): Promise<string[]> {
  return listFiles(dir, (name) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase()));
}

/** The names of the `.png` files in a folder, sorted by code point (for segmentation masks). */
export async function listPngFiles(dir: string): Promise<string[]> {
  return listFiles(dir, (name) => extname(name).toLowerCase() === '.png');
}

async function listFiles(dir: string, keep: (name: string) => boolean): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (errnoCode(e) === 'ENOTDIR') throw datasetCorrupt(dir, 'is not a folder');
    throw fileError(e, dir, 'data set folder');
  }
  return entries
    .filter((d) => (d.isFile() || d.isSymbolicLink()) && !d.name.startsWith('.') && keep(d.name))
    .map((d) => d.name)
    .sort(compareCodePoints);
}

/** Maps a Node fs error to LPCV_E_DATASET_MISSING (no such file) or LPCV_E_DATASET_CORRUPT (anything else). */
function fileError(e: unknown, path: string, what: string): Error {
  const code = errnoCode(e);
  if (code !== undefined && MISSING.has(code)) return datasetMissing(path, what);
  if (code === 'EISDIR') return datasetCorrupt(path, 'is a folder, expected a file');
  return datasetCorrupt(path, `cannot be read (${code ?? (e instanceof Error ? e.message : String(e))})`);
}
