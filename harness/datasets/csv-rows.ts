import { datasetCorrupt } from './dataset-errors.js';

export interface CsvRow {
  /** 1-based line number in the file. */
  line: number;
  fields: string[];
}

/**
 * A small CSV reader for label files: comma-separated, one record per line (LF, CRLF or CR), optional
 * UTF-8 BOM, blank lines skipped. Unquoted fields are trimmed; a field in double quotes keeps its content
 * verbatim, with "" for a quote (so file names with commas work). Quoted line breaks are not supported.
 */
export function parseCsvRows(text: string, file: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  lines.forEach((content, i) => {
    if (content.trim() === '') return;
    rows.push({ line: i + 1, fields: parseLine(content, file, i + 1) });
  });
  return rows;
}

function parseLine(content: string, file: string, line: number): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (content[i] === ' ' || content[i] === '\t') i++;
    if (content[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= content.length) throw datasetCorrupt(file, `line ${line}: unterminated quoted field`);
        if (content[i] === '"') {
          if (content[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += content[i++];
      }
      while (content[i] === ' ' || content[i] === '\t') i++;
      if (i < content.length && content[i] !== ',') throw datasetCorrupt(file, `line ${line}: text after a closing quote`);
      fields.push(value);
    } else {
      const end = content.indexOf(',', i);
      fields.push(content.slice(i, end === -1 ? content.length : end).trim());
      i = end === -1 ? content.length : end;
    }
    if (i >= content.length) return fields;
    i++; // the comma
  }
}
