import type { TrialEnvironment } from '../../harness/environment.js';
import type { GuardsSpec } from '../../harness/tracks/track-schema.js';
import { LpcvError } from '../../errors/lpcv-error.js';

/** An attempt that the guards accepted, and the ones before it they refused. */
export interface GuardedOutcome<T, E extends TrialEnvironment | null = TrialEnvironment> {
  result: T;
  /** What the guards saw of the accepted attempt (null: the target read nothing, so nothing could refuse it). */
  environment: E;
  /** Refused attempts, in order, each with what the guards saw. */
  refused: TrialEnvironment[];
}

/** Attempts a trial gets: the first, and `repeats` more when the guards refuse it (none without guards: nothing can refuse). */
export function attemptsAllowed(guards: GuardsSpec | undefined): number {
  return 1 + (guards?.repeats ?? 0);
}

/**
 * The guards' loop, for any target: runs `attempt` (which measures and judges itself) until one is accepted or
 * `1 + guards.repeats` have been refused; then the trial cannot be measured on this device now, which is the
 * infrastructure's fault: LPCV_E_ENVIRONMENT_DISTURBED, so that the job is queued again (no quota spent) and
 * another device, or this one later, runs it. An attempt that throws ends the loop with its own error (a model
 * that crashes is not retried here).
 */
export async function repeatWhileRefused<T, E extends TrialEnvironment | null = TrialEnvironment>(o: {
  guards: GuardsSpec | undefined;
  /** What is measured, for the messages (`trial 3 of 5`, `the run on u96-1`). */
  what: string;
  /** One attempt, measured and judged; an environment of null (nothing read) is accepted. */
  attempt: (index: number) => Promise<{ result: T; environment: E }>;
  log?: (line: string) => void;
}): Promise<GuardedOutcome<T, E>> {
  const allowed = attemptsAllowed(o.guards);
  const refused: TrialEnvironment[] = [];
  for (let i = 0; i < allowed; i++) {
    const a = await o.attempt(i);
    const seen: TrialEnvironment | null = a.environment;
    if (seen === null || seen.verdict.ok) return { result: a.result, environment: a.environment, refused };
    refused.push(seen);
    o.log?.(`${o.what}: attempt ${i + 1} of ${allowed} refused by the environment guards: ${seen.verdict.reasons.join('; ')}`);
  }
  throw disturbed(o.what, refused);
}

function disturbed(what: string, refused: readonly TrialEnvironment[]): LpcvError {
  const each = refused.map((e, i) => `attempt ${i + 1}: ${e.verdict.reasons.join('; ')}`).join(' | ');
  const message = `${what}: the environment guards refused all ${refused.length} attempt(s), so the device could not measure it undisturbed (${each})`;
  return new LpcvError('LPCV_E_ENVIRONMENT_DISTURBED', message.length > 2000 ? `${message.slice(0, 1997)}...` : message, {
    attempts: refused.length,
    reasons: refused.map((e) => e.verdict.reasons),
  });
}
