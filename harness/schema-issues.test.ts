import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues, issueKey } from './schema-issues.js';

const schema = z.strictObject({ a: z.array(z.strictObject({ b: z.number() })), c: z.string(), d: z.boolean(), e: z.number() });

function issuesOf(value: unknown): z.core.$ZodIssue[] {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected a failure');
  return parsed.error.issues;
}

describe('describeIssues', () => {
  it('names keys with dots and array positions in brackets, the root by the given name', () => {
    expect(issueKey(['a', 2, 'b'])).toBe('a.2.b');
    expect(issueKey(['a', 2, 'b'], '', 'brackets')).toBe('a[2].b');
    expect(issueKey([3, 'x'], '', 'brackets')).toBe('[3].x');
    expect(issueKey([])).toBe('(top level)');
    expect(issueKey([], '(body)')).toBe('(body)');
  });

  it('names the first few problems with the file, and counts the rest', () => {
    const issues = issuesOf({ a: [{ b: 'x' }], c: 1, d: 'no', e: 'no' });
    expect(issues).toHaveLength(4);
    const text = describeIssues(issues, { max: 2, file: 't.json', indices: 'brackets' });
    expect(text).toMatch(/^t\.json: a\[0\]\.b: .+; t\.json: c: .+ \(and 2 more\)$/);
    expect(describeIssues(issues)).not.toMatch(/more\)$/);
    expect(describeIssues(issuesOf(5), { topLevel: '(body)' })).toMatch(/^\(body\): /);
  });
});
