import type { EnvironmentSnapshot, TrialEnvironment } from '../../harness/environment.js';
import type { GuardsSpec } from '../../harness/tracks/track-schema.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import { coolDown, type CooldownRecord } from './cooldown.js';
import type { EnvironmentProbe } from './environment-probe.js';
import { realGuardClock, type GuardClock } from './guard-clock.js';
import { repeatWhileRefused, type GuardedOutcome } from './guarded-attempts.js';
import { judgeTrial, type GuardLimits, type Verdict } from './judge-trial.js';

export interface GuardedTrialOptions<T> {
  /** Reads the device before and after each attempt (localEnvironmentProbe on a desktop). */
  probe: EnvironmentProbe;
  /** The track's `protocol.guards`; undefined: the environment is read and recorded, nothing is refused. */
  guards: GuardsSpec | undefined;
  /**
   * One attempt of the trial (e.g. a fresh inference process with its warm-up and timed runs): its result, and
   * the CPU time its own processes spent, in jiffies (readProcessJiffies, cpuMicrosToJiffies), so that the
   * guards count only what other processes did on the run's cores; null when unknown.
   */
  attempt: (index: number) => Promise<{ result: T; ownJiffies: number | null }>;
  /** For the messages: `trial 3 of 5`. */
  what?: string;
  clock?: GuardClock;
  /** Aborting ends a cooldown early and stops before the next attempt (LPCV_E_RUN_CANCELLED). */
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** How an attempt is judged; default judgeTrial against `guards`. A target may add its own limits here. */
  judge?: (before: EnvironmentSnapshot, after: EnvironmentSnapshot, ownJiffies: number | null, guards: GuardLimits | undefined, index: number) => Verdict;
}

export interface GuardedTrial<T> extends GuardedOutcome<T> {
  /** What each attempt's cooldown did (refused attempts first, the accepted one last); empty without `guards.cooldown`. */
  cooldowns: CooldownRecord[];
}

/**
 * One trial under the environment guards (docs/protocol.md, "Environment guards"): for each attempt, the
 * cooldown (when the track sets one), a snapshot, the attempt, a snapshot, the verdict; a refused attempt is
 * run again, up to `guards.repeats` more times, and when every attempt is refused the trial fails with
 * LPCV_E_ENVIRONMENT_DISTURBED (the infrastructure's fault: the job is queued again, no quota spent).
 * Returns the accepted attempt's result and environment, and the refused attempts' environments.
 */
export async function runGuardedTrial<T>(o: GuardedTrialOptions<T>): Promise<GuardedTrial<T>> {
  const clock = o.clock ?? realGuardClock;
  const judge = o.judge ?? ((b, a, own, g) => judgeTrial(b, a, own, g));
  const cooldowns: CooldownRecord[] = [];
  const what = o.what ?? 'the trial';
  const outcome = await repeatWhileRefused({
    guards: o.guards,
    what,
    ...(o.log ? { log: o.log } : {}),
    attempt: async (index) => {
      if (o.signal?.aborted) throw new LpcvError('LPCV_E_RUN_CANCELLED', `${what} was cancelled before attempt ${index + 1}`);
      const cooldown = o.guards?.cooldown;
      if (cooldown !== undefined) {
        const c = await coolDown(o.probe, cooldown, clock, o.signal ? { signal: o.signal } : {});
        cooldowns.push(c);
        if (c.reached === false)
          o.log?.(`${what}: still at ${c.endC} °C after waiting ${Math.round(c.waitedMs)} ms to cool down to ${c.untilTempC} °C; measuring anyway`);
        if (o.signal?.aborted) throw new LpcvError('LPCV_E_RUN_CANCELLED', `${what} was cancelled during its cooldown`);
      }
      const before = await o.probe.snapshot();
      const { result, ownJiffies } = await o.attempt(index);
      const after = await o.probe.snapshot();
      const own = ownJiffies === null ? null : Math.max(0, Math.round(ownJiffies));
      const environment: TrialEnvironment = { before, after, ownJiffies: own, verdict: judge(before, after, own, o.guards, index) };
      return { result, environment };
    },
  });
  return { ...outcome, cooldowns };
}
