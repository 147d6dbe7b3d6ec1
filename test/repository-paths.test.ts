/**
 * Every path a source file or a document names is one a reader of the repository can follow: nothing points
 * at documents that lived beside the repository while it was written (a `shared/` folder next to it, its
 * LPCV, DESIGN, STYLE and ENV notes), and no relative path climbs out of the repository. Facts those notes
 * held belong in docs/ or behind a public citation (docs/formulas.md, Sources).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SELF = path.relative(ROOT, fileURLToPath(import.meta.url));
const TEXT = /\.(ts|js|mjs|cjs|py|sh|md|json|ya?ml|toml|html|css|txt)$/;

/** The notes of the writing sessions: a name is an outside reference unless the repository has such a file. */
const OUTSIDE_NOTES = ['LPCV.md', 'DESIGN.md', 'STYLE.md', 'ENV.md'];

/** Tracked files and new ones git does not ignore, so that a file is checked before its first commit. */
function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return [...new Set(out.split('\0').filter((f) => f !== ''))].sort();
}

/** Every outside reference in one file's text, as `file:line: what`. */
function outsideReferences(file: string, text: string, repoBasenames: ReadonlySet<string>): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    const at = `${file}:${i + 1}`;
    if (/(\.\.\/|\/work\/)shared\b/.test(line)) found.push(`${at}: names the shared folder outside the repository`);
    for (const name of OUTSIDE_NOTES) {
      const named = new RegExp(`\\b${name.replace('.', '\\.')}\\b`).test(line);
      if (named && !repoBasenames.has(name)) found.push(`${at}: names ${name}, which is not in the repository`);
    }
    // In a document a relative path is for the reader; in code, imports are checked by tsc, and test code may
    // quote paths as seen from other files (lint/architecture.test.ts).
    if (!file.endsWith('.md')) return;
    for (const [rel] of line.matchAll(/(?:\.\.\/)+[\w.-]*/g)) {
      const resolved = path.resolve(ROOT, path.dirname(file), rel);
      if (resolved !== ROOT && !resolved.startsWith(ROOT + path.sep)) found.push(`${at}: ${rel} climbs out of the repository`);
    }
  });
  return found;
}

describe('paths named in the repository', () => {
  it('finds the kinds of outside reference it is meant to find', () => {
    const none = new Set<string>();
    expect(outsideReferences('docs/a.md', 'rule from ../shared/LPCV.md', none)).toEqual([
      'docs/a.md:1: names the shared folder outside the repository',
      'docs/a.md:1: names LPCV.md, which is not in the repository',
    ]);
    expect(outsideReferences('x/y.md', 'see DESIGN.md\nand [z](../../z.md)', none)).toEqual([
      'x/y.md:1: names DESIGN.md, which is not in the repository',
      'x/y.md:2: ../../z.md climbs out of the repository',
    ]);
    expect(outsideReferences('x/y.ts', '// see DESIGN.md', new Set(['DESIGN.md']))).toEqual([]);
    expect(outsideReferences('x/y/z.md', '[a](../../harness/a.ts), ENVIRONMENT.md, MYSTYLE.md', none)).toEqual([]);
    expect(outsideReferences('x/y.ts', "import { a } from '../../../a.js';", none)).toEqual([]);
  });

  it('no source or documentation file names a path outside the repository', () => {
    const files = repositoryFiles();
    const basenames = new Set(files.map((f) => path.basename(f)));
    const found = files
      .filter((f) => TEXT.test(f) && f !== SELF && !f.startsWith('node_modules/'))
      .flatMap((f) => {
        let text: string;
        try {
          text = readFileSync(path.join(ROOT, f), 'utf8');
        } catch {
          return []; // listed but deleted in the working tree
        }
        return outsideReferences(f, text, basenames);
      });
    expect(found).toEqual([]);
  });
});
