#!/usr/bin/env node
// `npm run build`, also run by `npm ci` (package.json's "prepare"): compiles the run-time TypeScript into dist/
// with tsc (tsconfig.build.json), links the files the modules read beside themselves (style.css, lpcv-run.sh,
// supervisor.py, ...) into the same places under dist/, and writes the stamp bin/lpcv.js compares with the
// sources. Links rather than copies: an edited asset is current in dist/ at once, and the stamp only has to
// follow the TypeScript. Without TypeScript installed (`npm ci --omit=dev`, the Docker image) or without the
// sources, it builds nothing and lpcv runs the sources as before.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DIST, ROOT, SOURCE_DIRS, STAMP, isTestPath } from './dist-fresh.js';

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.log('lpcv build: TypeScript is not installed (a production install): no dist/, lpcv runs the sources');
  process.exit(0);
}
if (!existsSync(path.join(ROOT, 'cli', 'main.ts'))) {
  console.log('lpcv build: no sources here: nothing to build');
  process.exit(0);
}

const started = Date.now();
rmSync(DIST, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
if (result.status !== 0) {
  rmSync(DIST, { recursive: true, force: true });
  console.error('lpcv build: tsc failed (see above); dist/ removed, lpcv runs the sources');
  process.exit(result.status ?? 1);
}

let links = 0;
const linkAssets = (relDir) => {
  for (const entry of readdirSync(path.join(ROOT, relDir), { withFileTypes: true })) {
    if (isTestPath(entry.name, entry.isDirectory())) continue;
    const rel = path.join(relDir, entry.name);
    if (entry.isDirectory()) linkAssets(rel);
    else if (!entry.name.endsWith('.ts')) {
      const target = path.join(DIST, rel);
      mkdirSync(path.dirname(target), { recursive: true });
      symlinkSync(path.relative(path.dirname(target), path.join(ROOT, rel)), target);
      links += 1;
    }
  }
};
for (const dir of SOURCE_DIRS) linkAssets(dir);

writeFileSync(STAMP, `${new Date().toISOString()}\n`);
console.log(`lpcv build: dist/ compiled and ${links} assets linked in ${((Date.now() - started) / 1000).toFixed(1)} s`);
