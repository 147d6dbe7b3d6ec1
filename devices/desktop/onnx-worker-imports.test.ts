import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The project files a module imports at start-up: static value imports (not `import type`, not `import()`), followed. */
function startupImports(file: string, seen = new Set<string>()): Set<string> {
  const source = readFileSync(file, 'utf8');
  for (const m of source.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'(\.[^']+)';/gms)) {
    const target = path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts'));
    if (seen.has(target)) continue;
    seen.add(target);
    startupImports(target, seen);
  }
  return seen;
}

describe('the inference worker at start-up', () => {
  // Every trial of every job starts a fresh worker: what it imports before "ready" is paid five times a job.
  it('loads no task code until an accuracy pass asks for it', () => {
    const files = [...startupImports(path.join(HERE, 'onnx-worker.ts'))].map((f) => path.relative(path.join(HERE, '../..'), f));
    expect(files.filter((f) => f.startsWith('harness/'))).toEqual([]);
    expect(files).toContain('devices/desktop/session-options.ts');
  });

  it('finds a start-up import where there is one (the check itself works)', () => {
    const files = [...startupImports(path.join(HERE, 'measure-onnx.ts'))].map((f) => path.relative(path.join(HERE, '../..'), f));
    expect(files).toContain('harness/tasks/task-registry.ts');
  });
});
