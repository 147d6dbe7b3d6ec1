import type { InputSet } from './types.js';
import { listImageFiles, readDatasetFile } from './dataset-files.js';
import { datasetCorrupt } from './dataset-errors.js';
import { folderInputs } from './folder-inputs.js';
import { parseLabelsCsv } from './labels-csv.js';

/**
 * Classification data as a folder of PNG/JPEG images plus a `file,label` CSV. Samples are the folder's
 * images sorted by code point; the sample id is the file name. The inputs never touch the CSV.
 */

export async function imageFolderInputs(imagesDir: string): Promise<InputSet> {
  return folderInputs(imagesDir, await listImageFiles(imagesDir));
}

/** Every image's class index, in sample order. Each image needs exactly one row and each row an image. */
export async function imageFolderLabels(imagesDir: string, csvFile: string, classes: readonly string[]): Promise<{ ids: string[]; labels: number[] }> {
  const ids = await listImageFiles(imagesDir);
  const images = new Set(ids);
  const text = (await readDatasetFile(csvFile)).toString('utf8');
  const rows = parseLabelsCsv(text, csvFile, classes, (name) => images.has(name));
  const byFile = new Map<string, number>();
  for (const row of rows) {
    if (!images.has(row.file)) throw datasetCorrupt(csvFile, `line ${row.line}: no image ${row.file} in ${imagesDir}`);
    byFile.set(row.file, row.label);
  }
  const unlabelled = ids.filter((id) => !byFile.has(id));
  if (unlabelled.length > 0) {
    const more = unlabelled.length > 1 ? ` (and ${unlabelled.length - 1} more)` : '';
    throw datasetCorrupt(csvFile, `no label row for image ${unlabelled[0]}${more}`);
  }
  return { ids, labels: ids.map((id) => byFile.get(id) as number) };
}
