/**
 * The job queue's behavioural contract, run unchanged against every database (queue.sqlite.test.ts,
 * queue.postgres.test.ts). Time is passed in: tests move `now` forward instead of sleeping.
 *
 * Every test works in its own target kind and team names (`scope()`), so the tests of one file share a
 * database without seeing each other's jobs, and a failed run leaves all of them there to inspect.
 */
import { describe, expect, it } from 'vitest';
import { withWriteTransaction, type Db } from '../../db/index.js';
import {
  completeJob,
  countInfrastructureFailures,
  enqueueJob,
  enqueueReferenceJob,
  failJob,
  getJob,
  getJobEvents,
  getJobs,
  getLeasedJob,
  heartbeatJob,
  jobLeasedBy,
  leaseJob,
  listLeasedJobs,
  queuePosition,
  reclaimExpiredLeases,
  seededRandom,
  type EnqueueArgs,
  type Job,
  type LeasedJob,
  unfinishedJobPinnedTo,
} from '../index.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { useTestDatabase } from '../../db/testing/suite-hooks.js';
import { runLeaserProcesses } from './leasers.js';

const T0 = 1_800_000_000_000;
const LEASE_MS = 30_000;
const NO_JITTER = { baseMs: 1000, capMs: 5000, jitter: 0, random: () => 0 };

let scopes = 0;
let submissions = 0;

/** A target kind and team names no other test uses. */
function scope(): { kind: string; team: (name: string) => string; nameOf: (team: string) => string } {
  const id = ++scopes;
  const prefix = `t${id}-`;
  return { kind: `kind-${id}`, team: (name) => prefix + name, nameOf: (team) => team.slice(prefix.length) };
}

export function queueContract(backend: TestDatabase): void {
  describe(`job queue contract on ${backend.name}`, () => {
    let db: Db;
    useTestDatabase(backend, { setUp: async () => void (db = await backend.open()) });

    function enqueue(kind: string, team: string, now = T0, extra: Partial<EnqueueArgs> = {}): Promise<Job> {
      return enqueueJob(db, { submissionId: `sub-${++submissions}`, team, track: 'fashion-mnist', targetKind: kind, artifactFormat: 'onnx', ...extra }, now);
    }
    function lease(kinds: string[], now = T0, agentId = 'agent-1', leaseMs = LEASE_MS): Promise<LeasedJob | null> {
      return leaseJob(db, { agentId, targetKinds: kinds, leaseMs }, now);
    }
    async function mustLease(kinds: string[], now = T0, agentId = 'agent-1', leaseMs = LEASE_MS): Promise<LeasedJob> {
      const leased = await lease(kinds, now, agentId, leaseMs);
      expect(leased, 'a job to lease').not.toBeNull();
      return leased!;
    }

    it('enqueues a queued job and reads it back', async () => {
      const s = scope();
      const job = await enqueue(s.kind, s.team('a'), T0, { priority: 2, maxAttempts: 3 });
      expect(job).toMatchObject({
        team: s.team('a'),
        targetKind: s.kind,
        state: 'queued',
        priority: 2,
        attempts: 0,
        maxAttempts: 3,
        runAfter: T0,
        createdAt: T0,
        updatedAt: T0,
      });
      expect(job).toMatchObject({ artifactFormat: 'onnx', split: null, pinnedDeviceId: null, progress: null });
      expect(job).not.toHaveProperty('leaseToken');
      expect(await getJob(db, job.id)).toEqual(job);
      expect(await getJob(db, 987_654_321)).toBeUndefined();
      expect(await enqueue(s.kind, s.team('a'), T0, { split: 'val', artifactFormat: 'zip' })).toMatchObject({ split: 'val', artifactFormat: 'zip' });
      await expect(enqueue(s.kind, s.team('a'), T0, { maxAttempts: 0 })).rejects.toThrow(/maxAttempts/);
      await expect(enqueue(s.kind, s.team('a'), T0, { artifactFormat: '' })).rejects.toThrow(/artifactFormat/);
    });

    it('is fair across teams: one job of B is leased within the first two leases while A has 50 queued', async () => {
      const s = scope();
      for (let i = 0; i < 50; i++) await enqueue(s.kind, s.team('A'), T0 + i);
      await enqueue(s.kind, s.team('B'), T0 + 100);
      const first = await mustLease([s.kind], T0 + 200);
      const second = await mustLease([s.kind], T0 + 200);
      expect([first, second].map((l) => s.nameOf(l.job.team))).toContain('B');
      // A is alone now: its jobs come oldest first.
      const rest: number[] = [];
      for (let l = await lease([s.kind], T0 + 200); l; l = await lease([s.kind], T0 + 200)) rest.push(l.job.createdAt);
      expect(rest).toHaveLength(49);
      expect(rest).toEqual([...rest].sort((a, b) => a - b));
    });

    it('leases round-robin by team, then oldest first within a team, even within one millisecond', async () => {
      const s = scope();
      for (let i = 0; i < 5; i++) await enqueue(s.kind, s.team('A'));
      for (let i = 0; i < 5; i++) await enqueue(s.kind, s.team('B'));
      for (let i = 0; i < 2; i++) await enqueue(s.kind, s.team('C'));
      const order: string[] = [];
      const ids = new Map<string, number[]>();
      for (let l = await lease([s.kind]); l; l = await lease([s.kind])) {
        const team = s.nameOf(l.job.team);
        order.push(team);
        ids.set(team, [...(ids.get(team) ?? []), l.job.id]);
      }
      expect(order.join('')).toBe('ABCABCABABAB');
      for (const list of ids.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
    });

    it('gives a team that arrives late the next turn', async () => {
      const s = scope();
      for (let i = 0; i < 10; i++) await enqueue(s.kind, s.team('A'));
      await enqueue(s.kind, s.team('B'));
      for (let i = 0; i < 4; i++) await mustLease([s.kind], T0 + 1);
      await enqueue(s.kind, s.team('C'), T0 + 2);
      expect(s.nameOf((await mustLease([s.kind], T0 + 3)).job.team)).toBe('C');
    });

    it('leases higher priority first, whatever the team', async () => {
      const s = scope();
      await enqueue(s.kind, s.team('A'));
      const urgent = await enqueue(s.kind, s.team('A'), T0 + 1, { priority: 5 });
      expect((await mustLease([s.kind], T0 + 2)).job.id).toBe(urgent.id);
    });

    // The pick takes each team's next job and then the first of those (lease-pick.ts): these pin down the
    // cases where a team's next job is not simply its oldest, and where the teams' turns meet priorities.
    it("leases a team's urgent job before its older ones, and before a team whose turn it is", async () => {
      const s = scope();
      await enqueue(s.kind, s.team('A'));
      await enqueue(s.kind, s.team('B'), T0 + 1);
      expect(s.nameOf((await mustLease([s.kind], T0 + 2)).job.team)).toBe('A'); // A's turn is now older
      const urgent = await enqueue(s.kind, s.team('A'), T0 + 3, { priority: 1 });
      // B's turn (never leased), but A's newer job outranks both queued jobs of priority 0.
      expect((await mustLease([s.kind], T0 + 4)).job.id).toBe(urgent.id);
      expect(s.nameOf((await mustLease([s.kind], T0 + 4)).job.team)).toBe('B');
    });

    it('takes turns by team across all the kinds a leaser names, oldest first within a team', async () => {
      const s = scope();
      const other = scope();
      const a1 = await enqueue(other.kind, s.team('A'), T0);
      const a2 = await enqueue(s.kind, s.team('A'), T0 + 1);
      const b1 = await enqueue(s.kind, s.team('B'), T0 + 2);
      const b2 = await enqueue(other.kind, s.team('B'), T0 + 3);
      const ids: number[] = [];
      for (let l = await lease([s.kind, other.kind], T0 + 5); l; l = await lease([s.kind, other.kind], T0 + 5)) ids.push(l.job.id);
      expect(ids).toEqual([a1.id, b1.id, a2.id, b2.id]);
    });

    it("passes over a team's jobs a leaser may not take (pinned elsewhere, other formats, backing off) to its next one", async () => {
      const s = scope();
      const pinned = await enqueueReferenceJob(
        db,
        { submissionId: `sub-${++submissions}`, team: s.team('A'), track: 'fashion-mnist', targetKind: s.kind, artifactFormat: 'onnx', pinnedDeviceId: 9 },
        T0,
      );
      await enqueue(s.kind, s.team('A'), T0 + 1, { artifactFormat: 'zip' });
      await enqueue(s.kind, s.team('A'), T0 + 2, { runAfter: T0 + 1_000 });
      const ok = await enqueue(s.kind, s.team('A'), T0 + 3);
      const leaseAs = (deviceId: number): Promise<LeasedJob | null> =>
        leaseJob(db, { agentId: `device:${deviceId}`, targetKinds: [s.kind], leaseMs: LEASE_MS, deviceId, formats: ['onnx'] }, T0 + 10);
      expect((await leaseAs(8))?.job.id).toBe(ok.id);
      expect(await leaseAs(8)).toBeNull();
      expect((await leaseAs(9))?.job.id).toBe(pinned.id);
    });

    it("leases only jobs of the agent's target kinds", async () => {
      const s = scope();
      const other = scope();
      const jobX = await enqueue(s.kind, s.team('a'));
      const jobY = await enqueue(other.kind, s.team('a'), T0 + 1);
      expect(await lease([`${s.kind}-none`])).toBeNull();
      expect((await mustLease([other.kind], T0 + 2)).job.id).toBe(jobY.id);
      expect((await mustLease([`${s.kind}-none`, s.kind], T0 + 2)).job.id).toBe(jobX.id);
      await expect(lease([])).rejects.toThrow(/targetKinds/);
    });

    it("leases only jobs in the leaser's formats, from the job row alone", async () => {
      const s = scope();
      // No submission rows exist for these jobs: the format is the job's own (artifact_format).
      const onnx = await enqueue(s.kind, s.team('a'), T0, { artifactFormat: 'onnx' });
      const zip = await enqueue(s.kind, s.team('b'), T0 + 1, { artifactFormat: 'zip' });
      const leaseIn = (formats: string[] | undefined): Promise<LeasedJob | null> =>
        leaseJob(db, { agentId: 'agent-f', targetKinds: [s.kind], leaseMs: LEASE_MS, ...(formats ? { formats } : {}) }, T0 + 2);
      expect(await leaseIn(['tflite'])).toBeNull();
      expect((await leaseIn(['zip', 'tflite']))?.job).toMatchObject({ id: zip.id, artifactFormat: 'zip' });
      expect(await leaseIn(['zip'])).toBeNull();
      // A leaser that names no formats takes any.
      expect((await leaseIn(undefined))?.job.id).toBe(onnx.id);
    });

    it('leases a pinned job only to its device', async () => {
      const s = scope();
      const pinned = await enqueueReferenceJob(
        db,
        { submissionId: `sub-${++submissions}`, team: s.team('a'), track: 'fashion-mnist', targetKind: s.kind, artifactFormat: 'onnx', pinnedDeviceId: 7 },
        T0,
      );
      expect(pinned.pinnedDeviceId).toBe(7);
      expect(await getJob(db, pinned.id)).toMatchObject({ pinnedDeviceId: 7, artifactFormat: 'onnx' });
      const leaseAs = (deviceId?: number): Promise<LeasedJob | null> =>
        leaseJob(
          db,
          { agentId: `device:${deviceId ?? 'none'}`, targetKinds: [s.kind], leaseMs: LEASE_MS, ...(deviceId === undefined ? {} : { deviceId }) },
          T0 + 1,
        );
      expect(await unfinishedJobPinnedTo(db, 7)).toMatchObject({ id: pinned.id, state: 'queued' });
      expect(await unfinishedJobPinnedTo(db, 8)).toBeUndefined();
      expect(await leaseAs(undefined)).toBeNull();
      expect(await leaseAs(8)).toBeNull();
      const held = (await leaseAs(7))!;
      expect(held.job.id).toBe(pinned.id);
      expect(await unfinishedJobPinnedTo(db, 7)).toMatchObject({ id: pinned.id, state: 'leased' });
      expect((await completeJob(db, { jobId: pinned.id, token: held.token }, T0 + 2)).ok).toBe(true);
      expect(await unfinishedJobPinnedTo(db, 7)).toBeUndefined();
    });

    it('answers the reads other modules make of jobs: by ids, by lease token, by leaser, every leased job', async () => {
      const s = scope();
      const a = await enqueue(s.kind, s.team('a'));
      await enqueue(s.kind, s.team('b'), T0 + 1);
      const c = await enqueue(s.kind, s.team('c'), T0 + 2);
      expect((await getJobs(db, [c.id, a.id, 987_654_321, a.id])).map((j) => j.id)).toEqual([a.id, c.id]);
      expect(await getJobs(db, [])).toEqual([]);
      const first = await mustLease([s.kind], T0 + 10, `${s.kind}-holder`);
      const second = await mustLease([s.kind], T0 + 10, `${s.kind}-holder`);
      expect(await getLeasedJob(db, first.job.id, first.token)).toEqual(first.job);
      expect(await getLeasedJob(db, first.job.id, second.token)).toBeUndefined();
      expect(await getLeasedJob(db, first.job.id, 'wrong')).toBeUndefined();
      // The oldest job a leaser holds, and every leased job.
      expect((await jobLeasedBy(db, `${s.kind}-holder`))?.id).toBe(Math.min(first.job.id, second.job.id));
      expect(await jobLeasedBy(db, `${s.kind}-nobody`)).toBeUndefined();
      const leased = (await listLeasedJobs(db)).filter((j) => j.targetKind === s.kind);
      expect(leased.map((j) => j.id)).toEqual([first.job.id, second.job.id].sort((x, y) => x - y));
      await heartbeatJob(db, { jobId: first.job.id, token: first.token, leaseMs: LEASE_MS, progress: { phase: 'latency', fraction: 0.5 } }, T0 + 11);
      expect((await getJob(db, first.job.id))?.progress).toEqual({ phase: 'latency', fraction: 0.5 });
      expect((await completeJob(db, { jobId: first.job.id, token: first.token }, T0 + 12)).ok).toBe(true);
      expect(await getLeasedJob(db, first.job.id, first.token)).toBeUndefined();
    });

    it("counts the jobs that ended as the infrastructure's fault: dead, or failed by the infrastructure", async () => {
      const s = scope();
      const ids: number[] = [];
      const finish = async (how: 'done' | 'submission' | 'infrastructure-retry' | 'dead' | 'leased' | 'queued'): Promise<void> => {
        const job = await enqueue(s.kind, s.team(how), T0, { maxAttempts: how === 'dead' ? 1 : 2 });
        ids.push(job.id);
        if (how === 'queued') return;
        const held = await leaseJob(db, { agentId: 'agent-q', targetKinds: [s.kind], leaseMs: LEASE_MS }, T0 + ids.length);
        expect(held?.job.id).toBe(job.id);
        const fail = (fault: 'submission' | 'infrastructure') =>
          failJob(db, { jobId: job.id, token: held!.token, fault, code: 'LPCV_E_WORKER_FAILED', message: how, backoff: NO_JITTER }, T0 + ids.length);
        if (how === 'done') await completeJob(db, { jobId: job.id, token: held!.token }, T0 + ids.length);
        else if (how === 'submission') await fail('submission');
        else if (how !== 'leased') await fail('infrastructure');
      };
      for (const how of ['done', 'submission', 'infrastructure-retry', 'dead', 'leased', 'queued'] as const) await finish(how);
      expect(await countInfrastructureFailures(db, ids)).toBe(1);
      expect(await countInfrastructureFailures(db, [])).toBe(0);
    });

    it('respects run_after', async () => {
      const s = scope();
      const job = await enqueue(s.kind, s.team('a'), T0, { runAfter: T0 + 1000 });
      expect(await lease([s.kind], T0 + 999)).toBeNull();
      expect(await queuePosition(db, job.id)).toBe(0);
      expect((await mustLease([s.kind], T0 + 1000)).job.id).toBe(job.id);
    });

    it('counts the attempt when the lease is taken and hands out a fresh token each time', async () => {
      const s = scope();
      const job = await enqueue(s.kind, s.team('a'));
      const first = await mustLease([s.kind], T0, 'agent-1', 1000);
      expect(first.job).toMatchObject({
        id: job.id,
        state: 'leased',
        attempts: 1,
        leasedBy: 'agent-1',
        leaseExpiresAt: T0 + 1000,
        heartbeatAt: T0,
        updatedAt: T0,
      });
      expect(await getJob(db, job.id)).toMatchObject({ state: 'leased', attempts: 1 });
      await reclaimExpiredLeases(db, T0 + 1001);
      const second = await mustLease([s.kind], T0 + 1002, 'agent-2');
      expect(second.job).toMatchObject({ id: job.id, attempts: 2, leasedBy: 'agent-2' });
      expect(second.token).not.toBe(first.token);
      expect(first.token.length).toBeGreaterThanOrEqual(20);
    });

    it('extends a lease on heartbeat and refuses a wrong or stale token', async () => {
      const s = scope();
      const job = await enqueue(s.kind, s.team('a'));
      const held = await mustLease([s.kind], T0, 'agent-1', 1000);
      expect(await heartbeatJob(db, { jobId: job.id, token: held.token, leaseMs: 1000 }, T0 + 500)).toEqual({ ok: true, leaseExpiresAt: T0 + 1500 });
      expect(await getJob(db, job.id)).toMatchObject({ leaseExpiresAt: T0 + 1500, heartbeatAt: T0 + 500 });
      expect(await heartbeatJob(db, { jobId: job.id, token: 'not-the-token', leaseMs: 1000 }, T0 + 600)).toEqual({ ok: false, reason: 'lease-lost' });
      // Still held at T0 + 1200 thanks to the heartbeat; gone once reclaimed after T0 + 1500.
      expect((await reclaimExpiredLeases(db, T0 + 1200)).map((j) => j.id)).not.toContain(job.id);
      expect((await getJob(db, job.id))?.state).toBe('leased');
      expect((await reclaimExpiredLeases(db, T0 + 1501)).map((j) => j.id)).toContain(job.id);
      expect(await heartbeatJob(db, { jobId: job.id, token: held.token, leaseMs: 1000 }, T0 + 1600)).toEqual({ ok: false, reason: 'lease-lost' });
    });

    it('completes with the right token only, once', async () => {
      const s = scope();
      const job = await enqueue(s.kind, s.team('a'));
      const first = await mustLease([s.kind], T0, 'agent-1', 1000);
      expect(await completeJob(db, { jobId: job.id, token: 'wrong' }, T0 + 10)).toEqual({ ok: false, reason: 'lease-lost' });
      await reclaimExpiredLeases(db, T0 + 1001);
      const second = await mustLease([s.kind], T0 + 1002, 'agent-2');
      // The first agent comes back late with its stale token: refused, and the second lease is untouched.
      expect(await completeJob(db, { jobId: job.id, token: first.token }, T0 + 1003)).toEqual({ ok: false, reason: 'lease-lost' });
      expect(
        await failJob(db, { jobId: job.id, token: first.token, fault: 'infrastructure', code: 'LPCV_E_WORKER_FAILED', message: 'late' }, T0 + 1003),
      ).toEqual({ ok: false, reason: 'lease-lost' });
      const done = await completeJob(db, { jobId: job.id, token: second.token }, T0 + 1004);
      expect(done).toMatchObject({ ok: true, job: { state: 'done', finishedAt: T0 + 1004, attempts: 2 } });
      expect(await completeJob(db, { jobId: job.id, token: second.token }, T0 + 1005)).toEqual({ ok: false, reason: 'lease-lost' });
      // The record is not the job's: the caller stores it in `results` (server/scoring) in the same transaction.
      expect(await getJob(db, job.id)).toEqual((done as { job: Job }).job);
      expect(await getJob(db, job.id)).not.toHaveProperty('resultJson');
    });

    it("fails a job at once on the submission's fault, never retried", async () => {
      const s = scope();
      const job = await enqueue(s.kind, s.team('a'), T0, { maxAttempts: 5 });
      const held = await mustLease([s.kind]);
      const result = await failJob(db, { jobId: job.id, token: held.token, fault: 'submission', code: 'LPCV_E_MODEL_TIMEOUT', message: 'too slow' }, T0 + 10);
      expect(result).toMatchObject({
        ok: true,
        job: {
          state: 'failed',
          attempts: 1,
          errorFault: 'submission',
          lastErrorCode: 'LPCV_E_MODEL_TIMEOUT',
          lastErrorMessage: 'too slow',
          finishedAt: T0 + 10,
        },
      });
      expect(await lease([s.kind], T0 + 1e9)).toBeNull();
      expect(await queuePosition(db, job.id)).toBeNull();
    });

    it("retries on the infrastructure's fault with capped exponential backoff, then goes dead", async () => {
      const s = scope();
      const job = await enqueue(s.kind, s.team('a'), T0, { maxAttempts: 4 });
      let now = T0;
      const waits: number[] = [];
      for (let attempt = 1; attempt <= 4; attempt++) {
        const held = await mustLease([s.kind], now);
        expect(held.job.attempts).toBe(attempt);
        const result = await failJob(
          db,
          { jobId: job.id, token: held.token, fault: 'infrastructure', code: 'LPCV_E_WORKER_FAILED', message: `boom ${attempt}`, backoff: NO_JITTER },
          now,
        );
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        if (attempt < 4) {
          expect(result.job).toMatchObject({ state: 'queued', errorFault: 'infrastructure', finishedAt: null });
          waits.push(result.job.runAfter - now);
          expect(await lease([s.kind], result.job.runAfter - 1)).toBeNull();
          now = result.job.runAfter;
        } else {
          expect(result.job).toMatchObject({ state: 'dead', attempts: 4, lastErrorMessage: 'boom 4', finishedAt: now });
        }
      }
      expect(waits).toEqual([1000, 2000, 4000]);
      expect(await lease([s.kind], now + 1e9)).toBeNull();
    });

    it('spreads retries with seeded jitter within [delay * (1 - jitter), delay]', async () => {
      const s = scope();
      const backoff = { baseMs: 10_000, capMs: 60_000, jitter: 0.5, random: seededRandom(42) };
      const waits: number[] = [];
      for (let i = 0; i < 6; i++) {
        const job = await enqueue(s.kind, s.team(`t${i}`));
        const held = await mustLease([s.kind]);
        expect(held.job.id).toBe(job.id);
        const result = await failJob(
          db,
          { jobId: job.id, token: held.token, fault: 'infrastructure', code: 'LPCV_E_WORKER_FAILED', message: 'x', backoff },
          T0,
        );
        if (result.ok) waits.push(result.job.runAfter - T0);
      }
      expect(waits).toHaveLength(6);
      for (const w of waits) expect(w >= 5000 && w <= 10_000, `wait ${w}`).toBe(true);
      expect(new Set(waits).size).toBeGreaterThan(1);
    });

    it('reclaims expired leases: back to queued, or dead after the last attempt', async () => {
      const s = scope();
      const retried = await enqueue(s.kind, s.team('a'), T0, { maxAttempts: 2 });
      const lastTry = await enqueue(s.kind, s.team('b'), T0, { maxAttempts: 1 });
      const fresh = await enqueue(s.kind, s.team('c'), T0);
      await mustLease([s.kind], T0, 'agent-1', 1000);
      await mustLease([s.kind], T0, 'agent-2', 1000);
      await mustLease([s.kind], T0 + 500, 'agent-3', 1000);
      const reclaimed = (await reclaimExpiredLeases(db, T0 + 1001)).filter((j) => j.targetKind === s.kind);
      expect(reclaimed.map((j) => [j.id, j.state]).sort()).toEqual(
        [
          [retried.id, 'queued'],
          [lastTry.id, 'dead'],
        ].sort(),
      );
      expect(await getJob(db, retried.id)).toMatchObject({
        state: 'queued',
        runAfter: T0 + 1001,
        lastErrorCode: 'LPCV_E_LEASE_EXPIRED',
        errorFault: 'infrastructure',
        finishedAt: null,
      });
      expect(await getJob(db, lastTry.id)).toMatchObject({ state: 'dead', lastErrorCode: 'LPCV_E_LEASE_EXPIRED', finishedAt: T0 + 1001 });
      expect((await getJob(db, fresh.id))?.state).toBe('leased');
      // The expired lease is not reclaimed twice.
      expect((await reclaimExpiredLeases(db, T0 + 1002)).filter((j) => j.targetKind === s.kind)).toEqual([]);
      expect((await mustLease([s.kind], T0 + 1003)).job).toMatchObject({ id: retried.id, attempts: 2 });
    });

    async function enqueueMany(kind: string, team: (name: string) => string, count: number): Promise<void> {
      await withWriteTransaction(db, async (tx) => {
        for (let i = 0; i < count; i++) {
          await enqueueJob(
            tx,
            { submissionId: `bulk-${kind}-${i}`, team: team(`team${i % 7}`), track: 'fashion-mnist', targetKind: kind, artifactFormat: 'onnx' },
            T0 + i,
          );
        }
      });
    }

    async function expectLeasedOnceAndDone(kind: string, leasedIds: number[], count: number): Promise<void> {
      expect(leasedIds).toHaveLength(count);
      expect(new Set(leasedIds).size).toBe(count);
      const rows = (await db('jobs').where('target_kind', kind).select('state', 'attempts')) as Array<{ state: string; attempts: number }>;
      expect(rows).toHaveLength(count);
      expect(rows.filter((r) => r.state !== 'done' || r.attempts !== 1)).toEqual([]);
      const events = (await db('job_events as e')
        .join('jobs as j', 'j.id', 'e.job_id')
        .where('j.target_kind', kind)
        .select('e.to_state as to_state')) as Array<{ to_state: string }>;
      expect(events.filter((e) => e.to_state === 'leased')).toHaveLength(count);
      expect(events.filter((e) => e.to_state === 'done')).toHaveLength(count);
    }

    it('leases every job exactly once under 8 concurrent leasers sharing one handle', async () => {
      const s = scope();
      await enqueueMany(s.kind, s.team, 200);
      const perLeaser = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const got: number[] = [];
          for (;;) {
            const held = await leaseJob(db, { agentId: `agent-${i}`, targetKinds: [s.kind], leaseMs: LEASE_MS }, T0 + 200);
            if (held === null) return got;
            got.push(held.job.id);
            const done = await completeJob(db, { jobId: held.job.id, token: held.token }, T0 + 200);
            expect(done.ok, `complete job ${held.job.id}`).toBe(true);
          }
        }),
      );
      await expectLeasedOnceAndDone(s.kind, perLeaser.flat(), 200);
    });

    it('leases every job exactly once under 8 leasing processes, each with its own connection', async () => {
      const s = scope();
      await enqueueMany(s.kind, s.team, 200);
      const perProcess = await runLeaserProcesses(8, (i) => ({ database: backend.config(), agentId: `agent-${i}`, targetKind: s.kind, now: T0 + 200 }));
      await expectLeasedOnceAndDone(s.kind, perProcess.flat(), 200);
      // Several processes really did take part (not one draining the queue before the others started).
      expect(perProcess.filter((ids) => ids.length > 0).length).toBeGreaterThan(1);
    }, 180_000); // eight Node processes starting on two cores take most of it

    it('writes a job_events row for every state change, in order', async () => {
      const s = scope();
      const job = await enqueue(s.kind, s.team('a'));
      const first = await mustLease([s.kind], T0 + 1, 'agent-1');
      await heartbeatJob(db, { jobId: job.id, token: first.token, leaseMs: LEASE_MS }, T0 + 2);
      const failed = await failJob(
        db,
        { jobId: job.id, token: first.token, fault: 'infrastructure', code: 'LPCV_E_WORKER_FAILED', message: 'x', backoff: NO_JITTER },
        T0 + 3,
      );
      const second = await mustLease([s.kind], T0 + 1003, 'agent-2', 10);
      await reclaimExpiredLeases(db, T0 + 1014);
      const third = await mustLease([s.kind], T0 + 1015, 'agent-3');
      await completeJob(db, { jobId: job.id, token: third.token }, T0 + 1016);
      expect(failed.ok && second.job.id === job.id).toBe(true);
      const events = await getJobEvents(db, job.id);
      expect(events.map((e) => [e.fromState, e.toState, e.actor, e.at])).toEqual([
        [null, 'queued', 'server', T0],
        ['queued', 'leased', 'agent-1', T0 + 1],
        ['leased', 'queued', 'agent-1', T0 + 3],
        ['queued', 'leased', 'agent-2', T0 + 1003],
        ['leased', 'queued', 'reaper', T0 + 1014],
        ['queued', 'leased', 'agent-3', T0 + 1015],
        ['leased', 'done', 'agent-3', T0 + 1016],
      ]);
      expect(events[2]?.detail).toMatchObject({ attempt: 1, fault: 'infrastructure', code: 'LPCV_E_WORKER_FAILED', runAfter: T0 + 1003 });
    });

    it("rolls an enqueue back with the caller's transaction", async () => {
      const s = scope();
      await expect(
        withWriteTransaction(db, async (tx) => {
          await enqueueJob(tx, { submissionId: 'rolled-back', team: s.team('a'), track: 'fashion-mnist', targetKind: s.kind, artifactFormat: 'onnx' }, T0);
          throw new Error('upload refused');
        }),
      ).rejects.toThrow('upload refused');
      expect(await lease([s.kind])).toBeNull();
      expect(await db('jobs').where('submission_id', 'rolled-back').first()).toBeUndefined();
    });

    it('predicts the lease order with queuePosition', async () => {
      const s = scope();
      const queued: Job[] = [];
      for (const team of ['A', 'A', 'A', 'B', 'C', 'C', 'A', 'B']) queued.push(await enqueue(s.kind, s.team(team), T0 + queued.length));
      queued.push(await enqueue(s.kind, s.team('B'), T0 + 100, { priority: 1 }));
      await enqueue(`${s.kind}-other`, s.team('Z'), T0); // another kind: not ahead of anything here
      // Give A a recent turn so that the rotation does not simply start with the oldest job.
      const warmup = await enqueue(s.kind, s.team('A'), T0 - 1);
      expect((await mustLease([s.kind], T0 + 200)).job.id).toBe(queued[8]!.id); // priority first
      expect((await mustLease([s.kind], T0 + 200)).job.id).toBe(warmup.id);
      const predicted = new Map<number, number | null>();
      for (const job of queued.slice(0, 8)) predicted.set(job.id, await queuePosition(db, job.id));
      const actual: number[] = [];
      for (let l = await lease([s.kind], T0 + 300); l; l = await lease([s.kind], T0 + 300)) actual.push(l.job.id);
      expect(actual.map((id) => predicted.get(id))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(await queuePosition(db, actual[0]!)).toBeNull(); // leased: no longer in the queue
    });

    it('keeps queued and leased jobs across close and reopen; the leased one is reclaimed and completes once', async () => {
      const s = scope();
      const first = await backend.open();
      const a = await enqueueJob(
        first,
        { submissionId: 'durable-a', team: s.team('a'), track: 'fashion-mnist', targetKind: s.kind, artifactFormat: 'onnx' },
        T0,
      );
      const b = await enqueueJob(
        first,
        { submissionId: 'durable-b', team: s.team('b'), track: 'fashion-mnist', targetKind: s.kind, artifactFormat: 'onnx' },
        T0 + 1,
      );
      const held = await leaseJob(first, { agentId: 'agent-gone', targetKinds: [s.kind], leaseMs: 1000 }, T0 + 2);
      expect(held?.job.id).toBe(a.id);
      await first.destroy();

      const second = await backend.open();
      try {
        expect(await getJob(second, a.id)).toMatchObject({ state: 'leased', attempts: 1, leasedBy: 'agent-gone', leaseExpiresAt: T0 + 1002 });
        expect(await getJob(second, b.id)).toMatchObject({ state: 'queued', attempts: 0 });
        const next = await leaseJob(second, { agentId: 'agent-2', targetKinds: [s.kind], leaseMs: 1000 }, T0 + 3);
        expect(next?.job.id).toBe(b.id);
        expect((await reclaimExpiredLeases(second, T0 + 1003)).map((j) => j.id)).toContain(a.id);
        const again = await leaseJob(second, { agentId: 'agent-3', targetKinds: [s.kind], leaseMs: 1000 }, T0 + 1004);
        expect(again?.job).toMatchObject({ id: a.id, attempts: 2 });
        expect(await completeJob(second, { jobId: a.id, token: held!.token }, T0 + 1005)).toEqual({ ok: false, reason: 'lease-lost' });
        expect((await completeJob(second, { jobId: a.id, token: again!.token }, T0 + 1005)).ok).toBe(true);
        expect((await completeJob(second, { jobId: a.id, token: again!.token }, T0 + 1006)).ok).toBe(false);
        const done = (await getJobEvents(second, a.id)).filter((e) => e.toState === 'done');
        expect(done).toHaveLength(1);
      } finally {
        await second.destroy();
      }
    });
  });
}
