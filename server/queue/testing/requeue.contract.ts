/**
 * The organizers' re-run (requeueJobs) and the paged reads (listJobs, listJobEvents), run unchanged on
 * every database (requeue-jobs.sqlite.test.ts, requeue-jobs.postgres.test.ts). Each test works in its own
 * target kind and track, so the tests share a database without seeing each other's jobs.
 */
import { describe, expect, it } from 'vitest';
import { withWriteTransaction, type Db } from '../../db/index.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { useTestDatabase } from '../../db/testing/suite-hooks.js';
import { completeJob, enqueueJob, failJob, getJob, getJobEvents, leaseJob, listJobEvents, listJobs, requeueJobs, type Job } from '../index.js';

const T0 = 1_800_000_000_000;
const BY = { actor: 'admin (api)', reason: 'device fixed' };

let scopes = 0;

export function requeueContract(backend: TestDatabase): void {
  describe(`re-running jobs on ${backend.name}`, () => {
    let db: Db;
    useTestDatabase(backend, { setUp: async () => void (db = await backend.open()) });

    /** A target kind and track no other test uses, and jobs of it in each state. */
    function scope() {
      const id = ++scopes;
      const kind = `rq-kind-${id}`;
      const track = `rq-track-${id}`;
      let subs = 0;
      const enqueue = (maxAttempts = 5): Promise<Job> =>
        enqueueJob(
          db,
          { submissionId: `rq-${id}-${++subs}`, team: `team-${id}`, track, targetKind: kind, artifactFormat: 'onnx', maxAttempts, priority: 1 },
          T0,
        );
      const leased = async (maxAttempts = 5): Promise<{ job: Job; token: string }> => {
        const job = await enqueue(maxAttempts);
        const lease = await leaseJob(db, { agentId: 'agent-1', targetKinds: [kind], leaseMs: 30_000 }, T0 + 1);
        expect(lease?.job.id).toBe(job.id);
        return { job, token: lease!.token };
      };
      return {
        kind,
        track,
        enqueue,
        leased,
        async done(): Promise<Job> {
          const l = await leased();
          await completeJob(db, { jobId: l.job.id, token: l.token }, T0 + 2);
          return l.job;
        },
        async failed(): Promise<Job> {
          const l = await leased();
          await failJob(db, { jobId: l.job.id, token: l.token, fault: 'submission', code: 'LPCV_E_MODEL_CRASHED', message: 'crash' }, T0 + 2);
          return l.job;
        },
        async dead(): Promise<Job> {
          const l = await leased(1);
          await failJob(db, { jobId: l.job.id, token: l.token, fault: 'infrastructure', code: 'LPCV_E_WORKER_FAILED', message: 'board lost' }, T0 + 2);
          return l.job;
        },
      };
    }

    it('puts done, failed and dead jobs back in the queue with fresh attempts, one event each with the actor', async () => {
      const s = scope();
      const finished = [await s.done(), await s.failed(), await s.dead()];
      expect((await Promise.all(finished.map((j) => getJob(db, j.id)))).map((j) => j?.state)).toEqual(['done', 'failed', 'dead']);

      const result = await requeueJobs(db, finished.map((j) => j.id).reverse(), BY, T0 + 100);
      expect(result.skipped).toEqual([]);
      expect(result.requeued.map((j) => j.id)).toEqual(finished.map((j) => j.id));
      for (const job of result.requeued) {
        expect(job).toMatchObject({
          state: 'queued',
          attempts: 0,
          runAfter: T0 + 100,
          updatedAt: T0 + 100,
          createdAt: T0,
          priority: 1,
          leasedBy: null,
          leaseExpiresAt: null,
          heartbeatAt: null,
          finishedAt: null,
          lastErrorCode: null,
          lastErrorMessage: null,
          errorFault: null,
          progress: null,
        });
        expect(await getJob(db, job.id)).toEqual(job);
      }
      const last = await Promise.all(finished.map(async (j) => (await getJobEvents(db, j.id)).at(-1)));
      expect(last.map((e) => [e?.fromState, e?.toState, e?.actor, e?.at])).toEqual([
        ['done', 'queued', 'admin (api)', T0 + 100],
        ['failed', 'queued', 'admin (api)', T0 + 100],
        ['dead', 'queued', 'admin (api)', T0 + 100],
      ]);
      expect(last[2]?.detail).toEqual({ rerun: true, reason: 'device fixed', previousAttempts: 1, previousErrorCode: 'LPCV_E_WORKER_FAILED' });
    });

    it('leaves queued and leased jobs alone, reports unknown ids, and re-runs only what was finished', async () => {
      const s = scope();
      const running = await s.leased();
      const done = await s.done();
      const queued = await s.enqueue();
      const before = await getJob(db, running.job.id);
      const result = await requeueJobs(db, [queued.id, running.job.id, done.id, 987_654_321, done.id], BY, T0 + 100);
      expect(result.requeued.map((j) => j.id)).toEqual([done.id]);
      expect(result.skipped).toEqual([
        { jobId: running.job.id, state: 'leased' },
        { jobId: queued.id, state: 'queued' },
        { jobId: 987_654_321, state: 'unknown' },
      ]);
      expect(await getJob(db, running.job.id)).toEqual(before);
      expect(await getJob(db, queued.id)).toEqual(queued);
      expect(await requeueJobs(db, [], BY, T0 + 100)).toEqual({ requeued: [], skipped: [] });
    });

    it('runs a re-queued job again from its first attempt; the old lease token is lost', async () => {
      const s = scope();
      const first = await s.leased(1);
      await failJob(db, { jobId: first.job.id, token: first.token, fault: 'infrastructure', code: 'LPCV_E_WORKER_FAILED', message: 'x' }, T0 + 2);
      await requeueJobs(db, [first.job.id], BY, T0 + 100);
      expect(await completeJob(db, { jobId: first.job.id, token: first.token }, T0 + 101)).toEqual({ ok: false, reason: 'lease-lost' });
      expect(await leaseJob(db, { agentId: 'agent-2', targetKinds: [s.kind], leaseMs: 30_000 }, T0 + 99)).toBeNull(); // due at now, not before
      const again = await leaseJob(db, { agentId: 'agent-2', targetKinds: [s.kind], leaseMs: 30_000 }, T0 + 100);
      expect(again?.job).toMatchObject({ id: first.job.id, attempts: 1, maxAttempts: 1, leasedBy: 'agent-2' });
      expect((await completeJob(db, { jobId: first.job.id, token: again!.token }, T0 + 102)).ok).toBe(true);
      const history = (await getJobEvents(db, first.job.id)).map((e) => `${e.fromState ?? '-'}>${e.toState}`);
      expect(history).toEqual(['->queued', 'queued>leased', 'leased>dead', 'dead>queued', 'queued>leased', 'leased>done']);
    });

    it("rolls back with the caller's transaction", async () => {
      const s = scope();
      const done = await s.done();
      await expect(
        withWriteTransaction(db, async (tx) => {
          await requeueJobs(tx, [done.id], BY, T0 + 100);
          throw new Error('audit refused');
        }),
      ).rejects.toThrow('audit refused');
      expect((await getJob(db, done.id))?.state).toBe('done');
      expect((await getJobEvents(db, done.id)).at(-1)?.toState).toBe('done');
    });

    it('pages through jobs by id, optionally of one state and track, and through every job event', async () => {
      const s = scope();
      const dead = [await s.dead(), await s.dead(), await s.dead()];
      await s.done();
      const page1 = await listJobs(db, { afterId: 0, limit: 2, state: 'dead', track: s.track });
      const page2 = await listJobs(db, { afterId: page1[1]!.id, limit: 2, state: 'dead', track: s.track });
      expect([...page1, ...page2].map((j) => j.id)).toEqual(dead.map((j) => j.id));
      expect(await listJobs(db, { afterId: dead[2]!.id, limit: 2, state: 'dead', track: s.track })).toEqual([]);
      expect((await listJobs(db, { afterId: dead[0]!.id - 1, limit: 10, track: s.track })).map((j) => j.state)).toEqual(['dead', 'dead', 'dead', 'done']);
      const events = await getJobEvents(db, dead[0]!.id);
      const paged = await listJobEvents(db, events[0]!.id - 1, 3);
      expect(paged).toEqual(events);
    });
  });
}
