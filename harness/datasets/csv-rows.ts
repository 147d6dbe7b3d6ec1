/**
 * A small CSV reader for label files: comma-separated, one record per line (LF, CRLF or CR), optional
 * UTF-8 BOM, blank lines skipped. Unquoted fields are trimmed; a field in double quotes keeps its content
 * verbatim, with "" for a quote (so file names with commas work). Quoted line breaks are not supported.
 * It knows no error codes: its callers say what a problem is (name-label-csv.ts).
 */

export interface CsvLine {
  /** 1-based line number in the file. */
  readonly line: number;
  /** The line as written (untrimmed), never blank. */
  readonly content: string;
}

/** The file's non-blank lines with their numbers, a leading BOM removed. */
export function csvLines(text: string): CsvLine[] {
  const out: CsvLine[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\n|\r/)
    .forEach((content, i) => {
      if (content.trim() !== '') out.push({ line: i + 1, content });
    });
  return out;
}

/** The fields of one line, or what is wrong with its quoting. */
export function splitCsvFields(content: string): string[] | { readonly error: string } {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (content[i] === ' ' || content[i] === '\t') i++;
    if (content[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= content.length) return { error: 'unterminated quoted field' };
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
      if (i < content.length && content[i] !== ',') return { error: 'text after a closing quote' };
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
