import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadLabels } from '../../harness/datasets/open-split.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { createAgent, createTeam } from '../auth/index.js';
import { openDatabase } from '../db/index.js';
import { LOCAL_AGENT_TOKEN_FILE } from './local-agent-token.js';
import { callJson, childPids, isAlive, pollUntil, startServeProcess, withDatabase, submitModel, type ServeProcess } from './testing/serve-process.js';

/**
 * The crash test: `kill -9` the real server (node bin/lpcv.js serve) with jobs queued and leased, start it
 * again on the same data folder, and every job still completes exactly once. Nothing here fakes time: the
 * second server's reaper reclaims the leases the first one handed out, and its local agent measures the
 * models for real (tiny-conv on the hidden split: a few seconds each).
 */

interface Lease {
  job: { id: number; submissionId: string; leaseToken: string; attempt: number };
}
interface JobRow {
  id: number;
  submission_id: string;
  state: string;
  attempts: number;
  lease_token: string | null;
}
interface EventRow {
  job_id: number;
  from_state: string | null;
  to_state: string;
  actor: string;
}

const SERVE_QUIET = ['--no-baselines', '--quota', '0'];
/** The first server never reaps on its own (its first pass runs at start, before any lease). */
const NO_REAPING = ['--reap-every-ms', '3600000'];
/**
 * The second server: a quick reaper, and a lease for its local agent long enough (it heartbeats every
 * third of it) that a loaded machine cannot make the reaper take a job from a live agent.
 */
const RECOVERING = ['--lease-ms', '20000', '--reap-every-ms', '250'];
const WAIT_MS = 150_000;

let hiddenIds: string[] = [];
beforeAll(async () => {
  hiddenIds = (await loadLabels(resolveTrack('fashion-mnist'), 'test')).ids;
});

/** A made-up but valid completion for the hidden split (every image's top class 0). */
function fakeCompletion(leaseToken: string): Record<string, unknown> {
  return {
    leaseToken,
    measurement: {
      predictions: { kind: 'topk', ids: hiddenIds, topk: hiddenIds.map(() => [0, 1, 2, 3, 4]) },
      runtime: 'crash-test 1.0',
      threads: 1,
      protocol: { warmupRuns: 1, minRuns: 3, minDurationMs: 0, maxRuns: 3 },
      latencyMs: [1, 2, 3],
      warmupMs: [5],
      preprocessMs: [0.1],
    },
    target: { kind: 'desktop', device: 'crash-test', runtime: 'crash-test 1.0', threads: 1, os: 'linux', cpu: 'test' },
    energy: null,
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
  };
}

/** A data folder whose database already has a team and an agent (the server is not running yet). */
async function prepareDataDir(prefix: string): Promise<{ dir: string; teamToken: string; agentToken: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const db = await openDatabase({ client: 'sqlite', filename: path.join(dir, 'lpcv.sqlite') });
  try {
    const team = await createTeam(db, 'crash-team', Date.now());
    const agent = await createAgent(db, 'crash-agent', Date.now());
    return { dir, teamToken: team.token, agentToken: agent.token };
  } finally {
    await db.destroy();
  }
}

async function statusOf(server: ServeProcess, teamToken: string, id: string): Promise<string> {
  const r = await callJson(server.url, teamToken, 'GET', `/api/submissions/${id}`);
  expect(r.status).toBe(200);
  return (r.body as { status: string }).status;
}

/** Polls the submissions API until no submission is queued or running; returns their final statuses. */
async function waitUntilFinished(server: ServeProcess, teamToken: string, ids: readonly string[]): Promise<string[]> {
  return pollUntil(
    `every submission to finish (${server.url})`,
    async () => {
      const statuses = await Promise.all(ids.map((id) => statusOf(server, teamToken, id)));
      return statuses.every((s) => s === 'done' || s === 'failed') ? statuses : undefined;
    },
    WAIT_MS,
    500,
  );
}

async function registerDevice(server: ServeProcess, agentToken: string, name: string): Promise<number> {
  const r = await callJson(server.url, agentToken, 'POST', '/api/agent/devices', { name, kind: 'desktop' });
  expect(r.status).toBe(200);
  return (r.body as { deviceId: number }).deviceId;
}

async function lease(server: ServeProcess, agentToken: string, deviceId: number, leaseMs: number): Promise<Lease> {
  const r = await callJson(server.url, agentToken, 'POST', '/api/agent/lease', { deviceId, leaseMs });
  expect(r.status).toBe(200);
  return r.body as Lease;
}

function expectLeaseLost(r: { status: number; body: unknown }): void {
  expect({ status: r.status, code: (r.body as { error?: { code?: string } } | undefined)?.error?.code }).toEqual({ status: 409, code: 'LPCV_E_LEASE_LOST' });
}

/** The database's view once the server has stopped: jobs, results and events, checked for exactly-once. */
async function readOutcome(dir: string): Promise<{ jobs: Map<number, JobRow>; events: Map<number, EventRow[]> }> {
  return withDatabase(dir, async (db) => {
    const jobs = (await db('jobs').orderBy('id')) as JobRow[];
    const results = (await db('results').select('job_id', 'submission_id')) as Array<{ job_id: number; submission_id: string }>;
    const submissions = (await db('submissions').select('id', 'job_id')) as Array<{ id: string; job_id: number }>;
    const events = (await db('job_events').orderBy('id').select('job_id', 'from_state', 'to_state', 'actor')) as EventRow[];

    // Exactly one result per job and per submission, and it belongs to the submission's own job.
    expect(results.length).toBe(jobs.length);
    expect(new Set(results.map((r) => r.job_id)).size).toBe(jobs.length);
    expect(new Set(results.map((r) => r.submission_id)).size).toBe(submissions.length);
    const jobOf = new Map(submissions.map((s) => [s.id, s.job_id]));
    for (const r of results) expect(jobOf.get(r.submission_id)).toBe(r.job_id);

    const byJob = new Map<number, EventRow[]>(jobs.map((j) => [j.id, []]));
    for (const e of events) byJob.get(e.job_id)!.push(e);
    for (const j of jobs) {
      expect(j.state).toBe('done');
      expect(j.lease_token).toBeNull();
      // One transition to done per job, and it is the last event.
      const history = byJob.get(j.id)!;
      expect(history.filter((e) => e.to_state === 'done')).toHaveLength(1);
      expect(history.at(-1)?.to_state).toBe('done');
      // Every lease counted one attempt.
      expect(history.filter((e) => e.to_state === 'leased')).toHaveLength(j.attempts);
    }
    return { jobs: new Map(jobs.map((j) => [j.id, j])), events: byJob };
  });
}

const transitions = (history: readonly EventRow[]): string[] => history.map((e) => `${e.from_state ?? '-'}>${e.to_state}`);

describe('crash recovery of lpcv serve', () => {
  const running: ServeProcess[] = [];
  const dirs: string[] = [];
  afterEach(async (ctx) => {
    // A server a failed test left running is stopped for good; its data folder is kept for inspection.
    for (const s of running.splice(0)) await s.kill9().catch(() => {});
    const failed = ctx.task.result?.state === 'fail';
    for (const dir of dirs.splice(0)) {
      if (failed) console.warn(`crash test failed: kept the data folder ${dir} for inspection`);
      else rmSync(dir, { recursive: true, force: true });
    }
  });
  const start = async (dir: string, args: readonly string[]): Promise<ServeProcess> => {
    const s = await startServeProcess(dir, args);
    running.push(s);
    return s;
  };
  const forget = (s: ServeProcess): void => void running.splice(running.indexOf(s), 1);

  it('kill -9 with jobs queued and leased: after a restart every job completes exactly once', async () => {
    const { dir, teamToken, agentToken } = await prepareDataDir('lpcv-crash-queued-');
    dirs.push(dir);
    const first = await start(dir, ['--no-local-agent', ...SERVE_QUIET, ...NO_REAPING]);
    const model = fixtureBytes('tiny-conv.onnx');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await submitModel(first.url, teamToken, 'fashion-mnist', model, `tiny-conv-${i}.onnx`));

    // The test is the agent: one job completed before the crash, two leased (1 s, the shortest lease) and
    // left hanging, three never leased.
    const devices = [
      await registerDevice(first, agentToken, 'crash-1'),
      await registerDevice(first, agentToken, 'crash-2'),
      await registerDevice(first, agentToken, 'crash-3'),
    ];
    const completed = await lease(first, agentToken, devices[0]!, 60_000);
    const answer = await callJson(first.url, agentToken, 'POST', `/api/agent/jobs/${completed.job.id}/complete`, fakeCompletion(completed.job.leaseToken));
    expect(answer).toMatchObject({ status: 200, body: { status: 'done' } });
    const stale = [await lease(first, agentToken, devices[1]!, 1_000), await lease(first, agentToken, devices[2]!, 1_000)];
    // Fair order within one team: oldest first.
    expect([completed, ...stale].map((l) => l.job.submissionId)).toEqual(ids.slice(0, 3));
    expect(await Promise.all(ids.map((id) => statusOf(first, teamToken, id)))).toEqual(['done', 'running', 'running', 'queued', 'queued', 'queued']);

    await first.kill9();
    forget(first);

    const second = await start(dir, [...SERVE_QUIET, ...RECOVERING]);
    // The reaper gives both hanging leases back; the tokens the test still holds are then worthless.
    for (const l of stale) await second.waitForLog(new RegExp(`\\bjob ${l.job.id}'s lease expired; it is queued again`), 30_000);
    for (const l of stale) {
      expectLeaseLost(await callJson(second.url, agentToken, 'POST', `/api/agent/jobs/${l.job.id}/complete`, fakeCompletion(l.job.leaseToken)));
      expectLeaseLost(await callJson(second.url, agentToken, 'POST', `/api/agent/jobs/${l.job.id}/heartbeat`, { leaseToken: l.job.leaseToken }));
    }
    const statuses = await waitUntilFinished(second, teamToken, ids);
    expect(statuses).toEqual(ids.map(() => 'done'));
    // Still refused once the job is done elsewhere.
    expectLeaseLost(await callJson(second.url, agentToken, 'POST', `/api/agent/jobs/${stale[0]!.job.id}/complete`, fakeCompletion(stale[0]!.job.leaseToken)));
    expect(await second.stop()).toBe(0);
    forget(second);
    expect(second.stderr()).not.toMatch(/internal error/);

    const { jobs, events } = await readOutcome(dir);
    expect(jobs.size).toBe(6);
    const testDevice = (id: number): string => `device:${id}`;
    expect(transitions(events.get(completed.job.id)!)).toEqual(['->queued', 'queued>leased', 'leased>done']);
    expect(
      events
        .get(completed.job.id)!
        .map((e) => e.actor)
        .slice(1),
    ).toEqual([testDevice(devices[0]!), testDevice(devices[0]!)]);
    for (const [i, l] of stale.entries()) {
      const history = events.get(l.job.id)!;
      expect(jobs.get(l.job.id)!.attempts).toBe(2);
      expect(transitions(history)).toEqual(['->queued', 'queued>leased', 'leased>queued', 'queued>leased', 'leased>done']);
      expect(history[1]!.actor).toBe(testDevice(devices[i + 1]!));
      expect(history[2]!.actor).toBe('reaper');
      // Run and completed by the local agent's device, not by the test's.
      expect(devices.map(testDevice)).not.toContain(history[3]!.actor);
      expect(history[4]!.actor).toBe(history[3]!.actor);
    }
    const leasedByTest = new Set([completed, ...stale].map((l) => l.job.id));
    for (const [id, job] of jobs) {
      if (leasedByTest.has(id)) continue;
      expect(job.attempts).toBe(1);
      expect(transitions(events.get(id)!)).toEqual(['->queued', 'queued>leased', 'leased>done']);
      expect(devices.map(testDevice)).not.toContain(events.get(id)![1]!.actor);
    }
  }, 240_000);

  it('kill -9 while the local agent is measuring: the job is reclaimed, run again and stored once', async () => {
    const { dir, teamToken } = await prepareDataDir('lpcv-crash-measuring-');
    dirs.push(dir);
    // A short lease, so that it expires soon after the kill (this server never reaps).
    const first = await start(dir, [...SERVE_QUIET, '--lease-ms', '3000', ...NO_REAPING]);
    const model = fixtureBytes('tiny-conv.onnx');
    const ids = [
      await submitModel(first.url, teamToken, 'fashion-mnist', model, 'a.onnx'),
      await submitModel(first.url, teamToken, 'fashion-mnist', model, 'b.onnx'),
    ];

    // Mid-measurement: the local agent has leased the first job and its inference process is running.
    const leased = await first.waitForLog(/local agent: job (\d+): submission (\S+) on fashion-mnist\/test, attempt 1/, 60_000);
    const jobId = Number(leased[1]);
    expect(leased[2]).toBe(ids[0]);
    const workers = await pollUntil(
      'the inference process of the local agent',
      async () => {
        const pids = childPids(first.pid);
        return pids.length > 0 ? pids : undefined;
      },
      60_000,
      100,
    );
    const held = await withDatabase(
      dir,
      async (db) => (await db('jobs').where('id', jobId).first('lease_token', 'state')) as { lease_token: string; state: string },
    );
    expect(held.state).toBe('leased');

    await first.kill9();
    forget(first);
    // The inference process does not outlive its server (it exits when its IPC channel closes).
    await pollUntil('the orphaned inference process to exit', async () => (workers.every((p) => !isAlive(p)) ? true : undefined), 30_000, 100);

    const second = await start(dir, [...SERVE_QUIET, ...RECOVERING]);
    await second.waitForLog(new RegExp(`\\bjob ${jobId}'s lease expired; it is queued again`), 30_000);
    // The killed run's token (read from the database while it held the lease) is lost, for the very agent
    // that held it: the local agent keeps its token across restarts.
    const localToken = readFileSync(path.join(dir, LOCAL_AGENT_TOKEN_FILE), 'utf8').trim();
    expectLeaseLost(await callJson(second.url, localToken, 'POST', `/api/agent/jobs/${jobId}/complete`, fakeCompletion(held.lease_token)));
    const statuses = await waitUntilFinished(second, teamToken, ids);
    expect(statuses).toEqual(['done', 'done']);
    expect(await second.stop()).toBe(0);
    forget(second);

    const { jobs, events } = await readOutcome(dir);
    expect(jobs.size).toBe(2);
    expect(jobs.get(jobId)!.attempts).toBe(2);
    const history = events.get(jobId)!;
    expect(transitions(history)).toEqual(['->queued', 'queued>leased', 'leased>queued', 'queued>leased', 'leased>done']);
    expect(history[2]!.actor).toBe('reaper');
  }, 240_000);
});
