import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killLeftoverChildren, startTimeOf } from './child-records.js';
import { alive, startHungHarness, until } from './testing/hung-harness.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'lpcv-child-records-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A process in a group of its own, as the inference children are. */
function sleeper(): number {
  const s = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  s.unref();
  return s.pid!;
}

describe('records of inference children, and their leftovers', () => {
  it('kills a recorded child whose owner is gone, and leaves alone one whose owner lives or whose pid was reused', async () => {
    const dir = mkdtempSync(path.join(scratch, 'records-'));
    const orphan = sleeper();
    const owned = sleeper();
    const deadOwner = sleeper();
    const deadOwnerStart = startTimeOf(deadOwner)!;
    process.kill(-deadOwner, 'SIGKILL');
    expect(await until(() => !alive(deadOwner), 5_000)).toBe(true);
    const write = (pid: number, rec: object): void => writeFileSync(path.join(dir, `${pid}.json`), JSON.stringify(rec));
    write(orphan, { pid: orphan, start: startTimeOf(orphan), owner: deadOwner, ownerStart: deadOwnerStart });
    write(owned, { pid: owned, start: startTimeOf(owned), owner: process.pid, ownerStart: startTimeOf(process.pid) });
    // A record whose pid now belongs to another process (its start time differs): not ours to kill.
    const reused = sleeper();
    write(reused, { pid: reused, start: '1', owner: deadOwner, ownerStart: deadOwnerStart });
    writeFileSync(path.join(dir, 'garbage.json'), '{not json');
    try {
      expect(killLeftoverChildren(dir)).toEqual([orphan]);
      expect(await until(() => !alive(orphan), 5_000)).toBe(true);
      expect(alive(owned) && alive(reused)).toBe(true);
      expect(readdirSync(dir)).toEqual([`${owned}.json`]);
    } finally {
      for (const pid of [orphan, owned, reused]) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  });

  it('an agent on the same records finds an inference child that outlived its harness and its watchdog, and kills it', async () => {
    const dir = mkdtempSync(path.join(scratch, 'agent-'));
    const h = await startHungHarness(dir);
    try {
      expect(existsSync(path.join(dir, `${h.worker}.json`))).toBe(true);
      // Everything but the child dies at once: the watchdog first, so that it cannot act.
      process.kill(h.watchdog, 'SIGKILL');
      expect(await until(() => !alive(h.watchdog), 5_000)).toBe(true);
      h.parent.kill('SIGKILL');
      expect(await until(() => h.parent.exitCode !== null || h.parent.signalCode !== null, 5_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      expect(alive(h.worker), 'the stuck child runs on, orphaned').toBe(true);

      expect(killLeftoverChildren(dir)).toEqual([h.worker]);
      expect(await until(() => !alive(h.worker), 5_000)).toBe(true);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      h.stop();
    }
  }, 120_000);
});
