/**
 * PostgreSQL only: the lease's per-team pick considers a few of each team's next jobs (lease-pick.ts); when
 * concurrent leasers hold all of them, the lease still finds the next free job (the full sort's fallback),
 * in order. SQLite has one writer at a time, so nothing is ever held there.
 */
import { describe, expect, it } from 'vitest';
import { withWriteTransaction, type Db } from '../db/index.js';
import { postgresTestDatabase } from '../db/testing/databases.js';
import { useTestDatabase } from '../db/testing/suite-hooks.js';
import { enqueueJob, leaseJob } from './index.js';

const T0 = 1_800_000_000_000;
const backend = postgresTestDatabase();

describe('the lease on PostgreSQL, with other leases in flight', () => {
  const handles: Db[] = [];
  useTestDatabase(backend, { setUp: async () => void handles.push(...(await Promise.all([1, 2].map(() => backend.open())))) });

  it("leases the next free job when concurrent leasers hold more of a team's next jobs than the pick considers", async () => {
    const [db] = handles as [Db];
    const ids: number[] = [];
    for (let i = 0; i < 12; i++)
      ids.push((await enqueueJob(db, { submissionId: `s-${i}`, team: 'only', track: 't', targetKind: 'held', artifactFormat: 'onnx' }, T0 + i)).id);

    // Nine of its next jobs held, as leases in flight hold them until they commit (a row lock taken here
    // directly: two real leases of one team also wait for each other on the team's queue_teams row).
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const allLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = withWriteTransaction(handles[0]!, async (tx) => {
      await tx('jobs').whereIn('id', ids.slice(0, 9)).forUpdate().select('id');
      locked();
      await gate;
    });
    await allLocked;
    try {
      const next = await leaseJob(handles[1]!, { agentId: 'late', targetKinds: ['held'], leaseMs: 60_000 }, T0 + 100);
      expect(next?.job.id).toBe(ids[9]);
    } finally {
      release();
      await holding;
    }
    // Once they are free, the order resumes from the oldest.
    expect((await leaseJob(handles[1]!, { agentId: 'late', targetKinds: ['held'], leaseMs: 60_000 }, T0 + 100))?.job.id).toBe(ids[0]);
  });
});
