import { execa } from 'execa';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = fileURLToPath(new URL('../fixtures/packages/', import.meta.url));
/** Helpers every fixture package carries beside its __main__.py. */
const SHARED = ['lpcvpng.py', 'lpcvmodel.py'];

export type FixturePackage =
  | 'good_classify'
  | 'good_segment'
  | 'network'
  | 'write_outside'
  | 'read_labels'
  | 'fork_bomb'
  | 'sleeper'
  | 'exit_nonzero'
  | 'no_output'
  | 'memory_hog'
  | 'kill_supervisor'
  | 'probe_sandbox'
  | 'big_output'
  | 'good_detect';

/**
 * Builds a real zipapp from fixtures/packages/<name>.py (as its __main__.py, with `@KEY@` placeholders
 * replaced) and the shared helpers, with `python3 -m zipapp`, as a participant would. Returns its path.
 */
export async function buildFixturePackage(name: FixturePackage, outDir: string, values: Record<string, string> = {}): Promise<string> {
  const src = path.join(outDir, `${name}-src`);
  await mkdir(src, { recursive: true });
  let main = await readFile(path.join(PACKAGES, `${name}.py`), 'utf8');
  for (const [key, value] of Object.entries(values)) main = main.replaceAll(`@${key}@`, value);
  await writeFile(path.join(src, '__main__.py'), main);
  for (const f of SHARED) await copyFile(path.join(PACKAGES, f), path.join(src, f));
  const out = path.join(outDir, `${name}.pyz`);
  await execa('/usr/bin/python3', ['-m', 'zipapp', src, '-o', out, '-p', '/usr/bin/env python3'], { stdin: 'ignore' });
  return out;
}
