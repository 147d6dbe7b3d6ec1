import { describe, expect, it } from 'vitest';
import type { Competition, Phase } from '../../harness/competitions/competition.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Db } from '../db/index.js';
import { postgresTestDatabase, sqliteTestDatabase } from '../db/testing/databases.js';
import { useTestDatabase } from '../db/testing/suite-hooks.js';
import { applyCompetition } from './apply-competition.js';
import { listCompetitionAudit, readCompetition } from './competitions-table.js';

const H = 3_600_000;
const phase = (name: string, startAt: number, endAt: number): Phase => ({
  name,
  title: name,
  tracks: ['fashion-mnist'],
  startAt,
  endAt,
  board: 'private',
  boardVisible: true,
  reveal: 'manual',
  quota: { perDay: 3, total: null, failed: null },
  rounds: [],
});
const BASE: Competition = {
  name: 'spring',
  title: 'Spring',
  tracks: ['fashion-mnist'],
  phases: [phase('dev', 10 * H, 20 * H), phase('final', 30 * H, 40 * H)],
  webhooks: [],
};

for (const database of [sqliteTestDatabase(), postgresTestDatabase()])
  describe(`applying a competition on ${database.name}`, () => {
    let db: Db;
    useTestDatabase(database, { setUp: async () => void (db = await database.open()) });

    it('stores it once: the same content again changes nothing; a change to phases not started applies and is audited', async () => {
      expect(await applyCompetition(db, BASE, { now: 0, actor: 'cli' })).toMatchObject({ action: 'created', startedChanges: [] });
      expect(await applyCompetition(db, BASE, { now: 1, actor: 'cli' })).toMatchObject({ action: 'unchanged' });
      expect((await readCompetition(db))!.competition).toEqual(BASE);
      const later = { ...BASE, phases: [BASE.phases[0]!, { ...BASE.phases[1]!, endAt: 41 * H }] };
      expect(await applyCompetition(db, later, { now: 12 * H, actor: 'cli' })).toMatchObject({ action: 'updated', startedChanges: [] });
      expect((await listCompetitionAudit(db, 'spring')).map((a) => [a.action, a.actor])).toEqual([
        ['created', 'cli'],
        ['updated', 'cli'],
      ]);
    });

    it('refuses a change to a phase that has started unless forced; both are audited, the refusal stores nothing else', async () => {
      const stored = (await readCompetition(db))!;
      const moved = {
        ...stored.competition,
        phases: [{ ...stored.competition.phases[0]!, quota: { perDay: 10, total: null, failed: null } }, stored.competition.phases[1]!],
      };
      const error = await applyCompetition(db, moved, { now: 12 * H, actor: 'cli' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LpcvError);
      expect((error as LpcvError).code).toBe('LPCV_E_COMPETITION_STARTED');
      expect((error as LpcvError).message).toMatch(/phase dev: quota changed/);
      expect((await readCompetition(db))!.sha256).toBe(stored.sha256);

      const removed = { ...stored.competition, phases: [stored.competition.phases[1]!] };
      await expect(applyCompetition(db, removed, { now: 12 * H, actor: 'cli' })).rejects.toThrow(/phase dev removed/);

      expect(await applyCompetition(db, moved, { now: 12 * H, actor: 'admin', force: true })).toMatchObject({
        action: 'updated',
        startedChanges: [{ phase: 'dev', change: 'changed', keys: ['quota'] }],
      });
      expect((await readCompetition(db))!.competition.phases[0]!.quota.perDay).toBe(10);
      const audit = await listCompetitionAudit(db, 'spring');
      expect(audit.slice(-3).map((a) => [a.action, a.actor])).toEqual([
        ['refused', 'cli'],
        ['refused', 'cli'],
        ['updated', 'admin'],
      ]);
      expect(audit.at(-1)!.detail).toMatchObject({ forced: true, startedChanges: [{ phase: 'dev', keys: ['quota'] }] });
    });

    it('keeps one competition per database', async () => {
      await expect(applyCompetition(db, { ...BASE, name: 'autumn' }, { now: 0, actor: 'cli' })).rejects.toThrow(/this database runs competition spring/);
    });
  });
