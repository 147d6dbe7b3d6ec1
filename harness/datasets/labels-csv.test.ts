import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { csvLines, splitCsvFields } from './csv-rows.js';
import { parseLabelsCsv } from './labels-csv.js';

const classes = ['cat', 'dog', '7up'];
const images = new Set(['a.png', 'b.png', 'c,d.png']);
const isImage = (n: string): boolean => images.has(n);

/** The message of the LPCV_E_DATASET_CORRUPT error that `f` throws. */
function message(f: () => unknown): string {
  const e = errorOf(f);
  expect(e.code).toBe('LPCV_E_DATASET_CORRUPT');
  return e.message;
}

describe('csvLines and splitCsvFields', () => {
  it('splits lines of any ending, skips blank ones, trims unquoted fields, honours quotes', () => {
    const text = '\uFEFFfile,label\r\n a.png , 1 \n\n"c,d.png","say ""hi"""\r"x",\n';
    expect(csvLines(text).map(({ line, content }) => ({ line, fields: splitCsvFields(content) }))).toEqual([
      { line: 1, fields: ['file', 'label'] },
      { line: 2, fields: ['a.png', '1'] },
      { line: 4, fields: ['c,d.png', 'say "hi"'] },
      { line: 5, fields: ['x', ''] },
    ]);
  });

  it('says what is wrong with broken quoting', () => {
    expect(splitCsvFields('"open,1')).toEqual({ error: 'unterminated quoted field' });
    expect(splitCsvFields('"a"b,1')).toEqual({ error: 'text after a closing quote' });
  });
});

describe('parseLabelsCsv', () => {
  it('takes class indices and class names, with or without a header', () => {
    const rows = [
      { line: 2, file: 'a.png', label: 1 },
      { line: 3, file: 'b.png', label: 0 },
      { line: 4, file: 'c,d.png', label: 2 },
    ];
    expect(parseLabelsCsv('file,label\na.png,1\nb.png,cat\n"c,d.png",7up\n', 'l.csv', classes, isImage)).toEqual(rows);
    expect(parseLabelsCsv('image,class\na.png,dog\nb.png,0\n"c,d.png",2\n', 'l.csv', classes, isImage)).toEqual(rows);
    expect(parseLabelsCsv('a.png,1\nb.png,0\n', 'l.csv', classes, isImage)).toEqual([
      { line: 1, file: 'a.png', label: 1 },
      { line: 2, file: 'b.png', label: 0 },
    ]);
  });

  it('does not take a first row naming an image as a header, even with a bad label', () => {
    expect(message(() => parseLabelsCsv('a.png,horse\nb.png,0\n', 'l.csv', classes, isImage))).toBe(
      `l.csv: line 1: label "horse" is neither a class index (0..2) nor one of the track's class names`,
    );
  });

  it('names the file and line of every kind of bad row', () => {
    const cases: [string, string][] = [
      ['a.png,1\nb.png,3\n', 'line 2: label "3" is neither a class index (0..2) nor'],
      ['a.png,1\nb.png,-1\n', 'line 2: label "-1" is neither'],
      ['a.png,1\nb.png,Cat\n', 'line 2: label "Cat" is neither'],
      ['a.png,1\nb.png\n', 'line 2: expected 2 fields (file,label), found 1'],
      ['a.png,1\nb.png,1,2\n', 'line 2: expected 2 fields (file,label), found 3'],
      ['a.png,1\n,1\n', 'line 2: empty file name'],
      ['a.png,1\n\nb.png,0\na.png,2\n', 'line 4: a.png is already labelled on line 1'],
      ['file,label\n', 'has no label rows'],
      ['', 'has no label rows'],
      ['a.png,1\n"open,1\n', 'line 2: unterminated quoted field'],
      ['"a.png"b,1\n', 'line 1: text after a closing quote'],
      ['a.png,1\nb,c.png,1\n', 'line 2: expected 2 fields (file,label), found 3'],
      ['a.png,1\n,horse\n', 'line 2: empty file name'],
    ];
    for (const [text, expected] of cases) expect(message(() => parseLabelsCsv(text, 'l.csv', classes, isImage))).toContain(`l.csv: ${expected}`);
  });
});
