import { execa, type ResultPromise } from 'execa';
import { describe, expect, it } from 'vitest';
import { judgeTrial, otherBusy } from './judge-trial.js';
import { localEnvironmentProbe } from './local-probe.js';
import { readAllowedCores, readProcessJiffies } from './process-cpu.js';
import { runGuardedTrial } from './run-guarded-trial.js';

/**
 * A real disturbance: a child process spinning on the core the trial runs on (taskset -c N), read through the
 * real /proc/stat. What these tests assert cannot be broken by other tenants of a shared, loaded machine: a
 * spinner is always runnable, so its core is never idle while it runs, and whatever else runs there (other
 * tests, other sessions) is counted as other processes too. The share the guards see is therefore close to
 * 100% on a quiet machine and on a loaded one alike; the tests ask for more than 50%.
 */

const WINDOW_MS = 1000;

/** The spinner, once it spins (in an object: returning the child itself from an async function would wait for its exit). */
async function startSpinner(core: number): Promise<{ child: ResultPromise }> {
  // The loop starts right after the line is written (a pipe write is synchronous in Node on Linux).
  const child = execa('taskset', ['-c', String(core), process.execPath, '-e', 'process.stdout.write("spinning\\n"); for (;;) {}'], {
    stdin: 'ignore',
    reject: false,
    buffer: false,
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('spinning')) resolve();
    });
    void child.then((r) => reject(new Error(`the spinner exited before spinning: ${String(r.exitCode)} ${String(r.signal)}`)));
  });
  return { child };
}

async function stop(spinner: { child: ResultPromise } | undefined): Promise<void> {
  if (spinner === undefined) return;
  spinner.child.kill('SIGKILL');
  await spinner.child;
}

async function theCore(): Promise<number> {
  const allowed = await readAllowedCores('/proc', 'self');
  if (allowed === null || allowed.length === 0) throw new Error("cannot read this process's allowed cores");
  return allowed[allowed.length - 1]!;
}

describe("a spinning process on the trial's core (real /proc/stat)", () => {
  it('is seen by localEnvironmentProbe and refused by judgeTrial while this process sleeps', async () => {
    const core = await theCore();
    let spinner: { child: ResultPromise } | undefined;
    try {
      spinner = await startSpinner(core);
      const probe = localEnvironmentProbe({ cores: [core] });
      const spinBefore = await readProcessJiffies('/proc', spinner.child.pid!);
      const before = await probe.snapshot();
      await new Promise((r) => setTimeout(r, WINDOW_MS));
      const after = await probe.snapshot();
      const spinAfter = await readProcessJiffies('/proc', spinner.child.pid!);

      const share = otherBusy(before, after, 0);
      expect(share?.cores).toEqual([core]);
      expect(share!.pct).toBeGreaterThan(50);
      // The spinner's CPU time, read from its /proc/<pid>/stat, grew (how much depends on who else shares the core).
      expect(spinAfter! - spinBefore!).toBeGreaterThanOrEqual(1);

      const verdict = judgeTrial(before, after, 0, { maxOtherBusyPct: 50 });
      expect(verdict.ok).toBe(false);
      expect(verdict.reasons[0]).toMatch(new RegExp(`^core ${core} was \\d+(\\.\\d)?% busy with other processes over the trial, limit 50%`));
    } finally {
      await stop(spinner);
    }
  });

  it('makes runGuardedTrial refuse the attempt, record it and repeat it (the spinner killed for the retry)', async () => {
    const core = await theCore();
    let spinner: { child: ResultPromise } | undefined;
    try {
      spinner = await startSpinner(core);
      let attempts = 0;
      const r = await runGuardedTrial({
        probe: localEnvironmentProbe({ cores: [core] }),
        guards: { maxOtherBusyPct: 50, repeats: 2 },
        what: 'the disturbed trial',
        attempt: async (index) => {
          attempts++;
          // The attempt itself only sleeps: whatever is busy on the core meanwhile is another process.
          await new Promise((res) => setTimeout(res, WINDOW_MS));
          if (index === 0) {
            await stop(spinner);
            spinner = undefined;
          }
          return { result: `attempt ${index}`, ownJiffies: 0 };
        },
        // The first attempt is judged against the track's 50%. The retry's share is whatever other tenants of this
        // machine do on the core, which no test can promise: it is judged against 100%, which accepts any share, so
        // that what is tested is the repeat and the record, not the neighbours.
        judge: (b, a, own, g, index) => judgeTrial(b, a, own, index === 0 ? g : { maxOtherBusyPct: 100 }),
      });
      expect(attempts).toBe(2);
      expect(r.result).toBe('attempt 1');
      expect(r.environment.verdict.ok).toBe(true);
      expect(r.refused).toHaveLength(1);
      const refused = r.refused[0]!;
      expect(refused.ownJiffies).toBe(0);
      expect(refused.verdict.ok).toBe(false);
      expect(refused.verdict.reasons[0]).toContain(`core ${core} was`);
      expect(otherBusy(refused.before, refused.after, 0)!.pct).toBeGreaterThan(50);
    } finally {
      await stop(spinner);
    }
  });
});
