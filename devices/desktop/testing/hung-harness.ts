/**
 * For the tests of what outlives a killed harness (group-watchdog.test.ts, child-records.test.ts; not used by the
 * harness): a harness process (hung-inference-harness.ts) whose inference child spins in hang.onnx, and the
 * small waits they share.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const hang = fileURLToPath(new URL('../../../test/fixtures/onnx/hang.onnx', import.meta.url));
const script = fileURLToPath(new URL('./hung-inference-harness.ts', import.meta.url));

/** True while `pid` exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until `check` holds, at most `ms`; answers whether it held. */
export async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

export interface HungHarness {
  readonly parent: ChildProcess;
  /** The inference child and its group watchdog. */
  readonly worker: number;
  readonly watchdog: number;
  /** Kills whatever of the three still runs. */
  stop(): void;
}

/** Starts the harness (recording its children in `records` when given) and waits until its child is in the model. */
export async function startHungHarness(records?: string): Promise<HungHarness> {
  const parent = spawn(process.execPath, ['--import', 'tsx', script, hang, ...(records ? [records] : [])], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  parent.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  parent.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const stopAll = (pids: number[]): void => {
    parent.kill('SIGKILL');
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  };
  if (!(await until(() => out.includes('\n'), 60_000))) {
    stopAll([]);
    throw new Error(`the hung harness did not start its child: ${err}`);
  }
  const { worker, watchdog } = JSON.parse(out.split('\n')[0]!) as { worker: number; watchdog: number };
  return { parent, worker, watchdog, stop: () => stopAll([worker, watchdog]) };
}
