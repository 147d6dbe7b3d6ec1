/**
 * The committed data of the fashion-det and fashion-seg tracks (tracks/fashion-canvases) is what
 * training/make_canvases.py makes with the arguments its README gives: every byte regenerated and compared.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../testing/run-lpcv.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lpcv-fashion-canvases-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** sha256 of every file under `root` but the licence, by relative path. */
function digests(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name === 'LICENSE') continue;
    const file = path.join(e.parentPath, e.name);
    out[path.relative(root, file)] = createHash('sha256').update(readFileSync(file)).digest('hex');
  }
  return out;
}

describe('tracks/fashion-canvases', () => {
  it('is what the generator makes from the README command, byte for byte', () => {
    const readme = readFileSync(path.join(ROOT, 'tracks/fashion-canvases/README.md'), 'utf8');
    const command = /python3 training\/make_canvases\.py \\\n([\s\S]*?)--out tracks\/fashion-canvases\/data/.exec(readme);
    expect(command).not.toBeNull();
    const args = command![1]!.replace(/\\\n/g, ' ').trim().split(/\s+/);
    expect(args).toContain('--seed');
    execFileSync('python3', [path.join(ROOT, 'training/make_canvases.py'), ...args, '--out', path.join(tmp, 'data')], { cwd: ROOT });
    const committed = digests(path.join(ROOT, 'tracks/fashion-canvases/data'));
    expect(Object.keys(committed)).toHaveLength(700 * 2 + 1);
    expect(digests(path.join(tmp, 'data'))).toEqual(committed);
  });
});
