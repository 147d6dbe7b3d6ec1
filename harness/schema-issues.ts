import type { z } from 'zod';

export interface DescribeIssuesOptions {
  /** How many problems to name; the rest are counted, "(and N more)". Default 5. */
  readonly max?: number;
  /** What an issue at the root is called: "(top level)" for files, "(body)" for requests. */
  readonly topLevel?: string;
  /** Prefix each problem with this file name. */
  readonly file?: string;
  /** How array positions are written: `a.2.b` (default: configuration keys, as docs name them) or `a[2].b` (JSON data files such as COCO's). */
  readonly indices?: 'dots' | 'brackets';
}

/** A key path as text: `a.2.b`, or `a[2].b` with brackets; the root is `topLevel`. */
export function issueKey(path: readonly PropertyKey[], topLevel = '(top level)', indices: 'dots' | 'brackets' = 'dots'): string {
  let out = '';
  for (const p of path) out += indices === 'brackets' && typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out === '' ? topLevel : out;
}

/**
 * The one way a zod validation failure is told (track files, agent configs, input-pack headers, agent
 * requests, completions, lease answers): `[file: ]key: what was expected` for the first few problems, `; `
 * between them, and how many more there were.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], o: DescribeIssuesOptions = {}): string {
  const max = o.max ?? 5;
  const named = issues
    .slice(0, max)
    .map((issue) => `${o.file !== undefined ? `${o.file}: ` : ''}${issueKey(issue.path, o.topLevel, o.indices)}: ${issue.message}`)
    .join('; ');
  return issues.length > max ? `${named} (and ${issues.length - max} more)` : named;
}
