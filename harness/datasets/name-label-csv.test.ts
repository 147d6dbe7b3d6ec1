import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { parseNameLabelCsv, type NameLabelCsvPolicy, type NameLabelProblem } from './name-label-csv.js';

/** A policy whose errors carry the problem itself, so that a test sees what the parser reported. */
function policy(columns: NameLabelCsvPolicy['columns'], headers: string[] = []): NameLabelCsvPolicy {
  return {
    columns,
    label: (text) => (/^\d$/.test(text) ? Number(text) : { error: `"${text}" is no digit` }),
    isHeader: (name, label) => {
      headers.push(`${name}|${label}`);
      return label === 'label';
    },
    error: (problem) => new LpcvError('LPCV_E_INTERNAL', problem.kind, { ...problem }),
  };
}

function problemOf(text: string, columns: NameLabelCsvPolicy['columns']): NameLabelProblem {
  return errorOf(() => parseNameLabelCsv(text, policy(columns))).detail as NameLabelProblem;
}

describe('parseNameLabelCsv', () => {
  it('reads rows in file order with their lines; asks about a header of the first row only', () => {
    const headers: string[] = [];
    expect(parseNameLabelCsv('\uFEFFname,label\r\n\r\na.png, 1\rb.png,2\n', policy('csv', headers))).toEqual([
      { line: 3, name: 'a.png', label: 1 },
      { line: 4, name: 'b.png', label: 2 },
    ]);
    expect(headers).toEqual(['name|label']);
    expect(parseNameLabelCsv('a.png,1\n', policy('last-comma', headers))).toEqual([{ line: 1, name: 'a.png', label: 1 }]);
  });

  it('splits CSV fields, or at the last comma, as the policy says', () => {
    expect(parseNameLabelCsv('"a,b.png",1\n', policy('csv'))).toEqual([{ line: 1, name: 'a,b.png', label: 1 }]);
    expect(parseNameLabelCsv('"a,b.png",1\n', policy('last-comma'))).toEqual([{ line: 1, name: 'a,b.png', label: 1 }]);
    expect(parseNameLabelCsv('a,b.png,1\n', policy('last-comma'))).toEqual([{ line: 1, name: 'a,b.png', label: 1 }]);
    expect(problemOf('a,b.png,1\n', 'csv')).toEqual({ kind: 'columns', line: 1, found: 3, text: 'a,b.png,1' });
  });

  it('reports each problem with its line, the name checked before the label', () => {
    expect(problemOf('x,1\n"open,1\n', 'csv')).toEqual({ kind: 'quoting', line: 2, what: 'unterminated quoted field' });
    expect(problemOf('x,1\n  lonely  \n', 'last-comma')).toEqual({ kind: 'columns', line: 2, found: 1, text: 'lonely' });
    expect(problemOf('x,1\n,z\n', 'csv')).toEqual({ kind: 'empty-name', line: 2 });
    expect(problemOf('x,1\ny,z\n', 'last-comma')).toEqual({ kind: 'label', line: 2, label: 'z', why: '"z" is no digit' });
    expect(problemOf('x,1\n\ny,2\nx,3\n', 'csv')).toEqual({ kind: 'duplicate', line: 4, name: 'x', firstLine: 1 });
    expect(problemOf('name,label\n\n', 'csv')).toEqual({ kind: 'no-rows' });
    expect(problemOf('', 'last-comma')).toEqual({ kind: 'no-rows' });
  });
});
