import type { LpcvError } from '../../errors/lpcv-error.js';
import { csvLines, splitCsvFields } from './csv-rows.js';

/**
 * The one `name,label` CSV parser: a classification data set's label file (labels-csv.ts) and `lpcv
 * evaluate`'s classification ground truth (harness/evaluate/classification-files.ts). What they share: a
 * BOM and blank lines are skipped, a first row may be a header, every name is labelled once, the file has
 * at least one row. Where they differ, the policy says.
 */

/** One labelled row: its 1-based line, the name, the label's class index. */
export interface NameLabelRow {
  readonly line: number;
  readonly name: string;
  readonly label: number;
}

/** What can be wrong with a `name,label` file; the policy turns each into the caller's error. */
export type NameLabelProblem =
  /** Quoting broken (the `csv` columns only): `what` says how. */
  | { readonly kind: 'quoting'; readonly line: number; readonly what: string }
  /** Not two columns: `found` fields; `text` is the line, trimmed. */
  | { readonly kind: 'columns'; readonly line: number; readonly found: number; readonly text: string }
  | { readonly kind: 'empty-name'; readonly line: number }
  /** The label is no class: `why` is the policy's reason. */
  | { readonly kind: 'label'; readonly line: number; readonly label: string; readonly why: string }
  | { readonly kind: 'duplicate'; readonly line: number; readonly name: string; readonly firstLine: number }
  /** Not one labelled row (a header alone, or nothing). */
  | { readonly kind: 'no-rows' };

export interface NameLabelCsvPolicy {
  /**
   * How a line becomes (name, label).
   * - `csv`: comma-separated fields with double quotes honoured (csv-rows.ts), exactly two: files written for
   *   this harness, where a comma in a name is quoted.
   * - `last-comma`: split at the line's last comma, each side trimmed and unquoted when in double quotes:
   *   files from other tools and past challenges, whose names may hold unquoted commas.
   */
  readonly columns: 'csv' | 'last-comma';
  /** The class index a label names, or why it names none. */
  label(text: string): number | { readonly error: string };
  /** Whether the file's first row (and only it) is a header to skip. Asked before any check of its fields. */
  isHeader(name: string, label: string): boolean;
  /** The caller's error (code and message) for each problem. */
  error(problem: NameLabelProblem): LpcvError;
}

/** The labelled rows in file order; the first problem found is thrown as the policy's error. */
export function parseNameLabelCsv(text: string, policy: NameLabelCsvPolicy): NameLabelRow[] {
  const rows: NameLabelRow[] = [];
  const firstLine = new Map<string, number>();
  csvLines(text).forEach(({ line, content }, i) => {
    const fields = policy.columns === 'csv' ? splitCsvFields(content) : splitAtLastComma(content);
    if (!Array.isArray(fields)) throw policy.error({ kind: 'quoting', line, what: fields.error });
    if (fields.length !== 2) throw policy.error({ kind: 'columns', line, found: fields.length, text: content.trim() });
    const [name, labelText] = fields;
    if (i === 0 && policy.isHeader(name, labelText)) return;
    if (name === '') throw policy.error({ kind: 'empty-name', line });
    const label = policy.label(labelText);
    if (typeof label !== 'number') throw policy.error({ kind: 'label', line, label: labelText, why: label.error });
    const earlier = firstLine.get(name);
    if (earlier !== undefined) throw policy.error({ kind: 'duplicate', line, name, firstLine: earlier });
    firstLine.set(name, line);
    rows.push({ line, name, label });
  });
  if (rows.length === 0) throw policy.error({ kind: 'no-rows' });
  return rows;
}

/** [name, label] split at the last comma, or the one field of a line without a comma. */
function splitAtLastComma(content: string): string[] {
  const line = content.trim();
  const comma = line.lastIndexOf(',');
  if (comma < 0) return [line];
  return [unquote(line.slice(0, comma).trim()), unquote(line.slice(comma + 1).trim())];
}

function unquote(field: string): string {
  return field.length >= 2 && field.startsWith('"') && field.endsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field;
}
