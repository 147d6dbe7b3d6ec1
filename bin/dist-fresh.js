// Whether dist/ (the JavaScript that bin/build.js compiles at `npm ci` time) is current: its stamp is not older
// than any source file, directory or build setting. Used by bin/lpcv.js at every start, so it only stats: about
// 700 entries, a few milliseconds (bench/startup.ts measures it). A directory's mtime covers an added, renamed or
// deleted file; an edited file's own mtime covers the rest. Test code is skipped: it is never compiled.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const DIST = path.join(ROOT, 'dist');
export const STAMP = path.join(DIST, '.build-stamp');
/** The folders the CLI and the server load at run time (tsconfig.build.json's "include"). */
export const SOURCE_DIRS = ['cli', 'devices', 'errors', 'harness', 'scoring', 'server', 'submissions'];
const SETTINGS = ['tsconfig.json', 'tsconfig.build.json', 'bin/build.js'];
const SKIPPED_DIRS = new Set(['testing', 'fixtures']);

/** Whether a source-tree entry belongs to what the build compiles or links. */
export function isTestPath(name, isDir) {
  return isDir ? SKIPPED_DIRS.has(name) : name.endsWith('.test.ts');
}

/** The newest mtime (ms) among the sources, their folders and the build settings. */
export function newestSourceMtime() {
  let newest = 0;
  const visit = (dir) => {
    newest = Math.max(newest, statSync(dir).mtimeMs);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (isTestPath(entry.name, entry.isDirectory())) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) visit(path.join(ROOT, dir));
  for (const file of SETTINGS) newest = Math.max(newest, statSync(path.join(ROOT, file)).mtimeMs);
  return newest;
}

/** dist/'s file URL of `relative` (e.g. 'cli/main.js') when dist/ is current, else null. */
export function compiledEntry(relative) {
  let stamp;
  try {
    stamp = statSync(STAMP).mtimeMs;
  } catch {
    return null;
  }
  try {
    if (newestSourceMtime() > stamp) return null;
  } catch {
    return null;
  }
  return new URL(`../dist/${relative}`, import.meta.url).href;
}
