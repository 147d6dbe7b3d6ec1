/** Fixture sysfs trees for the samplers' tests: written into a fresh temporary folder per test. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface FixtureTree {
  readonly root: string;
  /** Writes files relative to the root (a sysfs attribute ends with a newline, as the kernel prints it). */
  write(files: Record<string, string | number>): Promise<void>;
  remove(rel: string): Promise<void>;
  close(): Promise<void>;
}

export async function fixtureTree(files: Record<string, string | number> = {}): Promise<FixtureTree> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'lpcv-sysfs-'));
  const tree: FixtureTree = {
    root,
    async write(more) {
      for (const [rel, value] of Object.entries(more)) {
        const file = path.join(root, rel);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, `${value}\n`);
      }
    },
    remove: (rel) => rm(path.join(root, rel), { force: true }),
    close: () => rm(root, { recursive: true, force: true }),
  };
  await tree.write(files);
  return tree;
}
