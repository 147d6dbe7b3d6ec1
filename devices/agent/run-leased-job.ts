import type { ErrorCode } from '../../errors/codes.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import {
  encodeCompletion,
  heartbeatRequest,
  leaseExpiresAtOf,
  type CompletionRequest,
  type FailRequest,
  type ReceivedLease,
  type RunProgress,
} from '../../harness/wire/index.js';
import { runLogsOf } from '../targets/run-logs.js';
import type { Target, TargetRun } from '../targets/target.js';
import { ServerAwayError, type AgentClient } from './agent-client.js';
import type { AgentLog } from './agent-log.js';
import type { VerifiedFiles } from './download-cached.js';
import { runOnTarget } from './run-on-target.js';
import { backoffMs, sleep, whenAborted } from './sleep.js';

export interface LeasedJobContext {
  readonly client: AgentClient;
  /** The device the job was leased for. */
  readonly target: Target;
  readonly lease: ReceivedLease;
  readonly cacheDir: string;
  readonly log: AgentLog;
  readonly leaseMs: number;
  /** The agent is stopping: the job gets `graceMs` more, then is given back as an infrastructure failure. */
  readonly stop: AbortSignal;
  readonly graceMs: number;
  readonly now: () => number;
  /** Runs the job (default runOnTarget on `target`); tests pass a stand-in. */
  readonly measure?: (
    client: AgentClient,
    lease: ReceivedLease,
    cacheDir: string,
    log: AgentLog,
    signal: AbortSignal,
    onProgress: (p: RunProgress) => void,
  ) => Promise<TargetRun>;
  /** A heartbeat that carries new progress is sent at most this often (default 2,000 ms). */
  readonly progressEveryMs?: number;
  /** The cache files the agent verified already (kept across its jobs): unchanged ones are not hashed again. */
  readonly verified?: VerifiedFiles;
}

type Outcome = { kind: 'measured'; run: TargetRun } | { kind: 'error'; error: unknown } | { kind: 'lost' } | { kind: 'grace' };

/**
 * Runs one leased job to its end: heartbeats every leaseMs/3 while it measures, then completes it, or fails
 * it with the error's fault (the submission's, or the infrastructure's). A 409 on a heartbeat means the
 * lease is lost (reclaimed, or the job finished elsewhere): the run is abandoned and nothing is reported.
 * When the agent stops, the job has the grace period to finish, else it is failed as infrastructure (it is
 * queued again). An abandoned measurement is left to end within the track's time limit; its result is
 * dropped.
 */
export async function runLeasedJob(ctx: LeasedJobContext): Promise<void> {
  const { client, lease, log, leaseMs } = ctx;
  const jobId = lease.job.id;
  const route = `/api/agent/jobs/${jobId}`;
  const leaseToken = lease.job.leaseToken;
  const startedAt = new Date(ctx.now()).toISOString();
  let leaseUntil = lease.job.leaseExpiresAt;
  const lost = new AbortController();
  const finished = new AbortController();
  log(`job ${jobId}: submission ${lease.job.submissionId} on ${lease.job.track}/${lease.job.split}, attempt ${lease.job.attempt}`);

  // Heartbeats renew the lease every leaseMs/3; new progress is sent sooner, but at most every
  // progressEveryMs (on SQLite every heartbeat is a write that waits for the one write lock).
  const beatEveryMs = Math.max(250, Math.floor(leaseMs / 3));
  const progressEveryMs = ctx.progressEveryMs ?? 2_000;
  let progress: RunProgress | undefined;
  let progressSent = true;
  let progressRefused = false;
  let wake = new AbortController();
  const onProgress = (p: RunProgress): void => {
    const changed = progress === undefined || p.phase !== progress.phase || Math.abs(p.fraction - progress.fraction) >= 0.01;
    progress = p;
    if (changed && progressSent) {
      progressSent = false;
      wake.abort();
    }
  };
  const beat = async (): Promise<void> => {
    let lastBeat = ctx.now();
    while (!finished.signal.aborted) {
      const dueAt = lastBeat + (progressSent ? beatEveryMs : Math.min(beatEveryMs, progressEveryMs));
      await sleep(Math.max(0, dueAt - ctx.now()), AbortSignal.any([finished.signal, wake.signal]));
      if (finished.signal.aborted) return;
      if (wake.signal.aborted) {
        wake = new AbortController();
        if (ctx.now() < lastBeat + Math.min(beatEveryMs, progressEveryMs)) continue;
      } else if (ctx.now() < dueAt) continue;
      const sending = progressRefused ? undefined : progress;
      progressSent = true;
      lastBeat = ctx.now();
      try {
        const send = (withProgress: RunProgress | undefined) => client.json('POST', `${route}/heartbeat`, heartbeatRequest(leaseToken, leaseMs, withProgress));
        let answer;
        try {
          answer = await send(sending);
        } catch (e) {
          // A server older than progress reports refuses the key: renew the lease without it from now on,
          // rather than let it expire under a run that is going fine.
          if (!(sending && e instanceof LpcvError && e.code === 'LPCV_E_AGENT_REQUEST')) throw e;
          progressRefused = true;
          log(`job ${jobId}: the server does not take progress reports (${e.message}); heartbeating without them`);
          answer = await send(undefined);
        }
        leaseUntil = leaseExpiresAtOf(answer.body) ?? leaseUntil;
      } catch (e) {
        if (e instanceof LpcvError && e.code === 'LPCV_E_LEASE_LOST') {
          log(`job ${jobId}: the lease was lost (${e.message}); abandoning the run`);
          lost.abort();
          return;
        }
        log(`job ${jobId}: heartbeat failed: ${messageOf(e)}`);
      }
    }
  };
  const beating = beat();

  const measure: NonNullable<LeasedJobContext['measure']> =
    ctx.measure ?? ((c, l, dir, lg, signal, progress) => runOnTarget(ctx.target, c, l, dir, lg, signal, progress, ctx.verified));
  // Aborted when the job is abandoned (lease lost, grace period over): the inference process is killed, so
  // an abandoned run never overlaps the next job's measurement.
  const cancel = new AbortController();
  const work = measure(client, lease, ctx.cacheDir, log, cancel.signal, onProgress);
  let outcome: Outcome;
  try {
    outcome = await Promise.race<Outcome>([
      work.then(
        (run) => ({ kind: 'measured', run }),
        (error: unknown) => ({ kind: 'error', error }),
      ),
      whenAborted(lost.signal, finished.signal).then(() => ({ kind: 'lost' })),
      whenAborted(ctx.stop, finished.signal)
        .then(() => sleep(ctx.graceMs, finished.signal))
        .then(() => ({ kind: 'grace' })),
    ]);
  } finally {
    finished.abort();
    await beating;
  }
  if (outcome.kind === 'lost' || outcome.kind === 'grace') cancel.abort();
  // An abandoned run still settles (rejects with LPCV_E_RUN_CANCELLED): nothing to report then.
  work.catch(() => {});

  const deadline = (): number => leaseUntil;
  switch (outcome.kind) {
    case 'lost':
      return;
    case 'grace':
      log(`job ${jobId}: the agent is stopping and the job did not finish within ${ctx.graceMs} ms; giving it back`);
      await report(
        ctx,
        `${route}/fail`,
        {
          leaseToken,
          fault: 'infrastructure',
          code: 'LPCV_E_LEASE_EXPIRED',
          message: `the device agent was stopped before the job finished (grace period ${ctx.graceMs} ms); the job is given back`,
        } satisfies FailRequest,
        deadline,
      );
      return;
    case 'error': {
      const e = outcome.error;
      const fault = e instanceof LpcvError && e.fault === 'submission' ? 'submission' : 'infrastructure';
      const code: ErrorCode = e instanceof LpcvError ? e.code : 'LPCV_E_INTERNAL';
      const logs = runLogsOf(e);
      log(`job ${jobId}: failed (${fault}): ${code}: ${messageOf(e)}`);
      await report(
        ctx,
        `${route}/fail`,
        { leaseToken, fault, code, message: messageOf(e).slice(0, 4000) || code, ...(logs ? { logs } : {}) } satisfies FailRequest,
        deadline,
      );
      return;
    }
    case 'measured': {
      const m = outcome.run.measurement;
      const body: CompletionRequest = {
        leaseToken,
        ...encodeCompletion(outcome.run, { startedAt, finishedAt: new Date(ctx.now()).toISOString() }),
        ...(outcome.run.logs ? { logs: outcome.run.logs } : {}),
      };
      try {
        const answer = await report(ctx, `${route}/complete`, body, deadline);
        const status = (answer as { status?: unknown } | undefined)?.status;
        log(`job ${jobId}: completed, ${m.latencyMs.length} timed runs; the server says ${typeof status === 'string' ? status : 'nothing'}`);
      } catch (e) {
        // The server refused the completion (it stays leased): give the job back rather than let it expire.
        log(`job ${jobId}: the completion was refused: ${messageOf(e)}`);
        await report(
          ctx,
          `${route}/fail`,
          {
            leaseToken,
            fault: 'infrastructure',
            code: 'LPCV_E_INTERNAL',
            message: `the server refused the agent's completion: ${messageOf(e)}`.slice(0, 4000),
          } satisfies FailRequest,
          deadline,
        ).catch(() => {});
      }
      return;
    }
  }
}

/**
 * POSTs a final report (complete or fail). While the server is away it retries with capped backoff until
 * the lease would have expired anyway. A 409 (lease lost) is logged and dropped. Other errors are thrown.
 */
async function report(ctx: LeasedJobContext, route: string, body: object, deadline: () => number): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await ctx.client.json('POST', route, body)).body;
    } catch (e) {
      if (e instanceof LpcvError && e.code === 'LPCV_E_LEASE_LOST') {
        ctx.log(`job ${ctx.lease.job.id}: the lease was lost before the report (${route}); dropped`);
        return undefined;
      }
      if ('logs' in body && refusedLogs(e)) {
        // A server older than the logs refuses the key (its schemas are strict): report without them.
        ctx.log(`job ${ctx.lease.job.id}: the server does not take the run's output (${messageOf(e)}); reporting without it`);
        const { logs: _dropped, ...rest } = body as { logs: unknown };
        body = rest;
        continue;
      }
      if (!(e instanceof ServerAwayError) || ctx.now() > deadline()) throw e;
      const wait = backoffMs(attempt, 250, 5_000);
      ctx.log(`job ${ctx.lease.job.id}: the server is away (${e.message}); retrying in ${wait} ms`);
      await sleep(wait);
    }
  }
}

/** An older server's refusal of the `logs` key: the agent request's code for a failure, the completion's for a completion. */
function refusedLogs(e: unknown): boolean {
  return e instanceof LpcvError && (e.code === 'LPCV_E_AGENT_REQUEST' || e.code === 'LPCV_E_PRED_MALFORMED') && /\blogs\b/.test(e.message);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
}
