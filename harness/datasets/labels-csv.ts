import type { LpcvError } from '../../errors/lpcv-error.js';
import { datasetCorrupt } from './dataset-errors.js';
import { parseNameLabelCsv, type NameLabelCsvPolicy, type NameLabelProblem } from './name-label-csv.js';

export interface LabelRow {
  line: number;
  file: string;
  /** Class index into the track's `classes`. */
  label: number;
}

/**
 * Parses a data set's `file,label` CSV (parseNameLabelCsv with the data-set policy). Fields are CSV fields
 * (a comma in a file name is quoted). A label is a class index (digits only, 0..classes.length-1) or a
 * class name from the track's `classes` (exact match); digits always mean an index. The first row is taken
 * as a header when its label is neither and its file names no image (`isImage`); every other bad row is
 * LPCV_E_DATASET_CORRUPT naming the line. A file labelled twice is an error.
 */
export function parseLabelsCsv(text: string, csvFile: string, classes: readonly string[], isImage: (name: string) => boolean): LabelRow[] {
  const byName = new Map(classes.map((name, i) => [name, i]));
  const classIndex = (label: string): number | undefined => {
    if (/^\d+$/.test(label)) {
      const n = Number(label);
      return n < classes.length ? n : undefined;
    }
    return byName.get(label);
  };
  const policy: NameLabelCsvPolicy = {
    columns: 'csv',
    label: (label) => classIndex(label) ?? { error: 'no class' },
    isHeader: (name, label) => classIndex(label) === undefined && !isImage(name),
    error: (problem) => labelsCsvError(csvFile, classes.length, problem),
  };
  return parseNameLabelCsv(text, policy).map(({ line, name, label }) => ({ line, file: name, label }));
}

function labelsCsvError(csvFile: string, classCount: number, p: NameLabelProblem): LpcvError {
  switch (p.kind) {
    case 'quoting':
      return datasetCorrupt(csvFile, `line ${p.line}: ${p.what}`);
    case 'columns':
      return datasetCorrupt(csvFile, `line ${p.line}: expected 2 fields (file,label), found ${p.found}`);
    case 'empty-name':
      return datasetCorrupt(csvFile, `line ${p.line}: empty file name`);
    case 'label':
      return datasetCorrupt(csvFile, `line ${p.line}: label "${p.label}" is neither a class index (0..${classCount - 1}) nor one of the track's class names`);
    case 'duplicate':
      return datasetCorrupt(csvFile, `line ${p.line}: ${p.name} is already labelled on line ${p.firstLine}`);
    case 'no-rows':
      return datasetCorrupt(csvFile, 'has no label rows');
  }
}
