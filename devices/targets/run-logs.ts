/**
 * How a target hands its run's output tails (stream-tail.ts) to the agent: on a finished run in
 * `TargetRun.logs`, on a failed one in the thrown error's detail (`runLogs`), so that every target keeps
 * throwing plain LpcvErrors and the agent sends the tails with the failure (run-leased-job.ts).
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import { runLogsSchema, type RunLogs } from '../../harness/wire/index.js';

/** The same error with the run's tails in its detail. */
export function withRunLogs(e: LpcvError, logs: RunLogs): LpcvError {
  return new LpcvError(e.code, e.message, { ...e.detail, runLogs: logs });
}

/** The tails an error carries (withRunLogs), when it carries well-formed ones. */
export function runLogsOf(e: unknown): RunLogs | undefined {
  if (!(e instanceof LpcvError)) return undefined;
  const parsed = runLogsSchema.safeParse(e.detail?.runLogs);
  return parsed.success ? parsed.data : undefined;
}
