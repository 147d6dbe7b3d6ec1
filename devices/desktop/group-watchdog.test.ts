import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { watchGroup } from './group-watchdog.js';
import { alive, startHungHarness, until } from './testing/hung-harness.js';

/** The CPU time (user + system, clock ticks) /proc says `pid` has used. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

describe('the process-group watchdog', () => {
  it('kills an inference child stuck in a looping model when its harness is killed with SIGKILL', async () => {
    const h = await startHungHarness();
    try {
      expect(alive(h.worker) && alive(h.watchdog)).toBe(true);
      // The child is inside the model: it keeps using CPU.
      const before = cpuTicks(h.worker);
      expect(await until(() => cpuTicks(h.worker) > before + 10, 20_000), 'the worker spins in the model').toBe(true);

      h.parent.kill('SIGKILL');
      expect(await until(() => !alive(h.worker), 15_000), 'the worker died with its harness').toBe(true);
      expect(await until(() => !alive(h.watchdog), 5_000), 'the watchdog left').toBe(true);
    } finally {
      h.stop();
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
