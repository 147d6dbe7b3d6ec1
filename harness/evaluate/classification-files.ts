import { readFile } from 'node:fs/promises';
import { LpcvError } from '../../errors/lpcv-error.js';
import { parseNameLabelCsv, type NameLabelCsvPolicy } from '../datasets/name-label-csv.js';
import { callerNumClasses, resolveClass, type ClassSpace, type ResolvedClass } from './class-values.js';
import { readJsonObject, stripBom } from './json-text.js';
import { checkSameKeys } from './name-mismatch.js';

/**
 * Reads a classification ground truth and a device's predictions file and lines them up for
 * `classificationReport`.
 *
 * Ground truth: CSV `name,label` (one image a line; the line is split at its LAST comma, fields may be
 * double-quoted; a first line whose label is not a class is a header and skipped: parseNameLabelCsv with
 * groundTruthCsvPolicy) or a JSON object `{ "<name>": <class> }`.
 *
 * Predictions, told apart by content (JSON when the file parses as an object):
 * - the LPCVC 2020 FPGA `image.list.result`: lines `<name> <class>`, an image's lines consecutive and in
 *   top-5 order. 1 to 5 lines per image are accepted: a device that only writes its top-1 is scored on what
 *   it wrote (top-5 then counts a hit only among the listed classes), which can only lower its top-5. More
 *   than 5 lines, a repeated class within an image, or an image's lines split into two runs are malformed.
 *   The line is split at its first whitespace; when the rest is not a class, at its last (names with spaces).
 * - JSON `{ "<name>": <class> | [<class>, ...] }`, best first; lists longer than 5 are cut to 5.
 *
 * A class is an integer index or, when the caller passes class names, a name (see resolveClass). Names are
 * matched exactly (no path or extension stripping). Blank lines are skipped.
 */

export type ClassificationPredictionFormat = 'fpga-2020' | 'json';

export interface ClassificationInput {
  /** Image names in ground-truth order; labels[i] and topk[i] belong to names[i]. */
  readonly names: readonly string[];
  readonly labels: readonly number[];
  readonly topk: readonly (readonly number[])[];
  /** The caller's count (numClasses or classNames.length), else the largest ground-truth label + 1. */
  readonly numClasses: number;
  readonly predictionFormat: ClassificationPredictionFormat;
}

/** At most this many ranked classes per image are kept (top-5 is the widest metric). */
export const MAX_RANKED = 5;

export async function readClassificationFiles(gtFile: string, predFile: string, space: ClassSpace = {}): Promise<ClassificationInput> {
  const known = callerNumClasses(space);
  const gt = parseClassificationGroundTruth(await readFile(gtFile, 'utf8'), gtFile, { ...space, numClasses: known });
  const numClasses = known ?? maxValue(gt.values()) + 1;
  const pred = parseClassificationPredictions(await readFile(predFile, 'utf8'), predFile, { ...space, numClasses });
  checkSameKeys(predFile, gt, pred.predictions, 'images');
  const names = [...gt.keys()];
  return {
    names,
    labels: names.map((n) => gt.get(n) as number),
    topk: names.map((n) => pred.predictions.get(n) as number[]),
    numClasses,
    predictionFormat: pred.format,
  };
}

/** Ground truth: image name -> class index, in file order. At least one image. */
export function parseClassificationGroundTruth(text: string, file: string, space: ClassSpace): Map<string, number> {
  const json = readJsonObject(stripBom(text));
  if (json.kind === 'bad') throw new LpcvError('LPCV_E_GT_MALFORMED', `${file}: ${json.reason}`, { file });
  const labels = new Map<string, number>();
  if (json.kind === 'object') {
    for (const [name, value] of Object.entries(json.value)) {
      const cls = resolveClass(value, space);
      if ('error' in cls) throw gtKeyError(file, name, cls.error);
      labels.set(name, cls.index);
    }
  } else {
    for (const row of parseNameLabelCsv(text, groundTruthCsvPolicy(file, space))) labels.set(row.name, row.label);
  }
  if (labels.size === 0) throw new LpcvError('LPCV_E_GT_MALFORMED', `${file}: no labelled images`, { file });
  return labels;
}

/**
 * The ground-truth CSV's policy for parseNameLabelCsv: split at the last comma (names from other tools may
 * hold unquoted commas); a label is resolveClass's; a first row whose label is no class at all (by index or
 * name, whatever numClasses says) is a header, so an out-of-range index on line 1 is an error, not a header.
 */
function groundTruthCsvPolicy(file: string, space: ClassSpace): NameLabelCsvPolicy {
  return {
    columns: 'last-comma',
    label(text) {
      const cls = resolveClass(text, space);
      return 'error' in cls ? cls : cls.index;
    },
    isHeader: (_name, label) => 'error' in resolveClass(label, { classNames: space.classNames }),
    error(p) {
      switch (p.kind) {
        case 'quoting':
          return gtLineError(file, p.line, p.what);
        case 'columns':
          return gtLineError(file, p.line, `expected "name,label", got ${JSON.stringify(p.text)}`);
        case 'empty-name':
          return gtLineError(file, p.line, 'empty image name');
        case 'label':
          return gtLineError(file, p.line, p.why);
        case 'duplicate':
          return gtLineError(file, p.line, `${JSON.stringify(p.name)} is already labelled at line ${p.firstLine}`);
        case 'no-rows':
          return new LpcvError('LPCV_E_GT_MALFORMED', `${file}: no labelled images`, { file });
      }
    },
  };
}

/** Predictions: image name -> classes best first (1 to 5 of them), and which format the file was in. */
export function parseClassificationPredictions(
  text: string,
  file: string,
  space: ClassSpace,
): { format: ClassificationPredictionFormat; predictions: Map<string, number[]> } {
  const json = readJsonObject(stripBom(text));
  if (json.kind === 'bad') throw new LpcvError('LPCV_E_PRED_MALFORMED', `${file}: ${json.reason}`, { file });
  if (json.kind === 'object') return { format: 'json', predictions: parseJsonPredictions(json.value, file, space) };
  return { format: 'fpga-2020', predictions: parseFpga2020Predictions(text, file, space) };
}

function parseJsonPredictions(obj: Record<string, unknown>, file: string, space: ClassSpace): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [name, value] of Object.entries(obj)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) throw predKeyError(file, name, 'empty class list');
    const ranked: number[] = [];
    for (const [i, v] of values.slice(0, MAX_RANKED).entries()) {
      const cls = resolveClass(v, space);
      const where = Array.isArray(value) ? `entry ${i}: ` : '';
      if ('error' in cls) throw predKeyError(file, name, where + cls.error);
      if (ranked.includes(cls.index)) throw predKeyError(file, name, `${where}class ${cls.index} is listed twice`);
      ranked.push(cls.index);
    }
    out.set(name, ranked);
  }
  return out;
}

function parseFpga2020Predictions(text: string, file: string, space: ClassSpace): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const startLine = new Map<string, number>();
  let current: string | undefined;
  for (const [lineNo, line] of numberedLines(text)) {
    const parsed = splitNameAndClass(line, space);
    if (parsed === undefined) throw predLineError(file, lineNo, `expected "<name> <class>", got ${JSON.stringify(line)}`);
    const { name, cls } = parsed;
    if ('error' in cls) throw predLineError(file, lineNo, cls.error);
    let ranked = out.get(name);
    if (ranked === undefined) {
      ranked = [];
      out.set(name, ranked);
      startLine.set(name, lineNo);
    } else if (name !== current) {
      throw predLineError(file, lineNo, `${JSON.stringify(name)} appears again; its lines must be consecutive (first at line ${startLine.get(name)})`);
    }
    current = name;
    if (ranked.length === MAX_RANKED) throw predLineError(file, lineNo, `more than ${MAX_RANKED} lines for ${JSON.stringify(name)}`);
    if (ranked.includes(cls.index)) throw predLineError(file, lineNo, `class ${cls.index} is listed twice for ${JSON.stringify(name)}`);
    ranked.push(cls.index);
  }
  return out;
}

function splitNameAndClass(line: string, space: ClassSpace): { name: string; cls: ResolvedClass } | undefined {
  const first = /^(\S+)\s+(.+)$/.exec(line);
  if (first === null) return undefined;
  const cls = resolveClass(first[2], space);
  if ('index' in cls) return { name: first[1], cls };
  const last = /^(.+?)\s+(\S+)$/.exec(line);
  if (last !== null && last[1] !== first[1]) {
    const alt = resolveClass(last[2], space);
    if ('index' in alt) return { name: last[1], cls: alt };
  }
  return { name: first[1], cls };
}

/** Non-blank lines, trimmed, with 1-based line numbers. */
function* numberedLines(text: string): Generator<[number, string]> {
  const lines = stripBom(text).split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line !== '') yield [i + 1, line];
  }
}

function maxValue(values: Iterable<number>): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  return max;
}

function gtLineError(file: string, line: number, message: string): LpcvError {
  return new LpcvError('LPCV_E_GT_MALFORMED', `${file}:${line}: ${message}`, { file, line });
}

function gtKeyError(file: string, key: string, message: string): LpcvError {
  return new LpcvError('LPCV_E_GT_MALFORMED', `${file}: key ${JSON.stringify(key)}: ${message}`, { file, key });
}

function predLineError(file: string, line: number, message: string): LpcvError {
  return new LpcvError('LPCV_E_PRED_MALFORMED', `${file}:${line}: ${message}`, { file, line });
}

function predKeyError(file: string, key: string, message: string): LpcvError {
  return new LpcvError('LPCV_E_PRED_MALFORMED', `${file}: key ${JSON.stringify(key)}: ${message}`, { file, key });
}
