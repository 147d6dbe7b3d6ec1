#!/usr/bin/env node
// The `lpcv` command. Runs the JavaScript that `npm ci` compiled into dist/ (bin/build.js) when dist/ is not
// older than the sources; otherwise, or with LPCV_FROM_SOURCE=1 (the tests' setting), the TypeScript sources
// through tsx's loader, silently: an edited source is never shadowed by an old build.
import { compiledEntry } from './dist-fresh.js';

const compiled = process.env.LPCV_FROM_SOURCE === '1' ? null : compiledEntry('cli/main.js');
if (compiled) {
  await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
