/**
 * The host folder of one sandboxed run: input/ (bound read-only), output/ (bound writable, owned by the
 * sandbox's uid), a copy of the supervisor, and the package beside them. Made under a root every folder above
 * which lets others through, rather than under the agent's work folder, whose parents are often private
 * (mode 0700) and so closed to the sandbox's unprivileged uid.
 */
import { chmod, chown, copyFile, mkdir, mkdtemp, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LpcvError } from '../../errors/lpcv-error.js';

const SUPERVISOR = fileURLToPath(new URL('./supervisor.py', import.meta.url));

export interface Stage {
  readonly root: string;
  readonly input: string;
  readonly output: string;
  readonly supervisor: string;
  /** Where the package is copied to (by the caller). */
  readonly packageFile: string;
}

/** The host uid:gid the sandbox runs as: the given one when the harness is root, else none (the harness's own). */
export function sandboxUser(uid = 65534, gid = 65534): { uid: number; gid: number } | undefined {
  return process.getuid?.() === 0 ? { uid, gid } : undefined;
}

export async function makeStage(rootDir: string, user: { uid: number; gid: number } | undefined): Promise<Stage> {
  if (user !== undefined) await checkTraversable(rootDir);
  const root = await mkdtemp(path.join(rootDir, 'lpcv-solution-'));
  await chmod(root, 0o711);
  const stage: Stage = {
    root,
    input: path.join(root, 'input'),
    output: path.join(root, 'output'),
    supervisor: path.join(root, 'supervisor.py'),
    packageFile: path.join(root, 'solution.pyz'),
  };
  await mkdir(stage.input, { mode: 0o755 });
  await mkdir(stage.output, { mode: 0o755 });
  if (user !== undefined) await chown(stage.output, user.uid, user.gid);
  await copyFile(SUPERVISOR, stage.supervisor);
  await chmod(stage.supervisor, 0o644);
  return stage;
}

/** Copies the package into the stage, readable by the sandbox's uid. */
export async function stagePackage(stage: Stage, file: string): Promise<void> {
  await copyFile(file, stage.packageFile);
  await chmod(stage.packageFile, 0o644);
}

/** Every folder from / down to dir must let others through (x), or the unprivileged sandbox cannot reach its binds. */
async function checkTraversable(dir: string): Promise<void> {
  let at = path.resolve(dir);
  for (;;) {
    const st = await stat(at);
    if ((st.mode & 0o001) === 0) {
      throw new LpcvError(
        'LPCV_E_SANDBOX_UNAVAILABLE',
        `${at} is not traversable by others (mode ${(st.mode & 0o777).toString(8)}): the sandbox's unprivileged uid cannot reach its folders under ${dir}; choose another stageRoot`,
      );
    }
    const up = path.dirname(at);
    if (up === at) return;
    at = up;
  }
}
