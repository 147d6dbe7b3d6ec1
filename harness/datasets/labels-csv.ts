import { parseCsvRows } from './csv-rows.js';
import { datasetCorrupt } from './dataset-errors.js';

export interface LabelRow {
  line: number;
  file: string;
  /** Class index into the track's `classes`. */
  label: number;
}

/**
 * Parses a `file,label` CSV. A label is a class index (digits only, 0..classes.length-1) or a class name
 * from the track's `classes` (exact match); digits always mean an index. The first row is taken as a
 * header when its label is neither and its file names no image (`isImage`); every other bad row is an
 * error naming the line. A file labelled twice is an error.
 */
export function parseLabelsCsv(text: string, csvFile: string, classes: readonly string[], isImage: (name: string) => boolean): LabelRow[] {
  const rows = parseCsvRows(text, csvFile);
  const byName = new Map(classes.map((name, i) => [name, i]));
  const out: LabelRow[] = [];
  const seen = new Map<string, number>();
  rows.forEach(({ line, fields }, i) => {
    const label = fields.length === 2 ? classIndex(fields[1], classes.length, byName) : undefined;
    if (i === 0 && fields.length === 2 && label === undefined && !isImage(fields[0])) return; // header
    if (fields.length !== 2) throw datasetCorrupt(csvFile, `line ${line}: expected 2 fields (file,label), found ${fields.length}`);
    const [file, text] = fields;
    if (file === '') throw datasetCorrupt(csvFile, `line ${line}: empty file name`);
    if (label === undefined) {
      throw datasetCorrupt(
        csvFile,
        `line ${line}: label "${text}" is neither a class index (0..${classes.length - 1}) nor one of the track's class names`,
      );
    }
    const before = seen.get(file);
    if (before !== undefined) throw datasetCorrupt(csvFile, `line ${line}: ${file} is already labelled on line ${before}`);
    seen.set(file, line);
    out.push({ line, file, label });
  });
  if (out.length === 0) throw datasetCorrupt(csvFile, 'has no label rows');
  return out;
}

function classIndex(text: string, classCount: number, byName: Map<string, number>): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n < classCount ? n : undefined;
  }
  return byName.get(text);
}
