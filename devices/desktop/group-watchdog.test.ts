import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { watchGroup } from './group-watchdog.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const hang = fileURLToPath(new URL('../../test/fixtures/onnx/hang.onnx', import.meta.url));
const harness = fileURLToPath(new URL('./testing/hung-inference-harness.ts', import.meta.url));

/** True while `pid` exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

/** The CPU time (user + system, clock ticks) /proc says `pid` has used. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

describe('the process-group watchdog', () => {
  it('kills an inference child stuck in a looping model when its harness is killed with SIGKILL', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', harness, hang], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    parent.stdout.on('data', (c: Buffer) => (out += c.toString()));
    parent.stderr.on('data', (c: Buffer) => (err += c.toString()));
    let pids: { worker: number; watchdog: number } | undefined;
    try {
      expect(await until(() => out.includes('\n'), 60_000), `the harness started its child: ${err}`).toBe(true);
      pids = JSON.parse(out.split('\n')[0]!) as { worker: number; watchdog: number };
      expect(alive(pids.worker) && alive(pids.watchdog)).toBe(true);
      // The child is inside the model: it keeps using CPU.
      const before = cpuTicks(pids.worker);
      expect(await until(() => cpuTicks(pids!.worker) > before + 10, 20_000), 'the worker spins in the model').toBe(true);

      parent.kill('SIGKILL');
      expect(await until(() => !alive(pids!.worker), 15_000), 'the worker died with its harness').toBe(true);
      expect(await until(() => !alive(pids!.watchdog), 5_000), 'the watchdog left').toBe(true);
    } finally {
      parent.kill('SIGKILL');
      for (const pid of [pids?.worker, pids?.watchdog]) {
        try {
          if (pid !== undefined) process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  }, 120_000);

  it('leaves the group alone once released', async () => {
    const sleeper = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    sleeper.unref();
    const pid = sleeper.pid!;
    try {
      const watchdog = watchGroup(pid);
      expect(alive(watchdog.pid!)).toBe(true);
      watchdog.release();
      expect(await until(() => !alive(watchdog.pid!), 5_000), 'a released watchdog leaves').toBe(true);
      expect(alive(pid)).toBe(true);
    } finally {
      process.kill(-pid, 'SIGKILL');
    }
  });
});
