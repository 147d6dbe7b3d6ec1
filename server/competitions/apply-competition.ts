import type { Competition } from '../../harness/competitions/competition.js';
import { startedPhaseChanges, type StartedPhaseChange } from '../../harness/competitions/phase-changes.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import { withWriteTransaction, type Db } from '../db/index.js';
import { auditCompetition, competitionHash, readCompetition, writeCompetition } from './competitions-table.js';

export interface ApplyOptions {
  readonly now: number;
  /** Who applies: 'cli', 'serve'. */
  readonly actor: string;
  /** Apply changes to phases that have started (audited). */
  readonly force?: boolean;
}

export interface ApplyResult {
  readonly competition: string;
  readonly action: 'created' | 'updated' | 'unchanged';
  readonly sha256: string;
  /** Changes to phases that had started (applied only with force). */
  readonly startedChanges: readonly StartedPhaseChange[];
}

const describe = (changes: readonly StartedPhaseChange[]): string =>
  changes.map((c) => (c.change === 'removed' ? `phase ${c.phase} removed` : `phase ${c.phase}: ${c.keys.join(', ')} changed`)).join('; ');

/**
 * Stores a validated competition (one per database). Idempotent: the same content changes nothing. A change
 * to a phase that has started (it touches submissions already made) is refused with
 * LPCV_E_COMPETITION_STARTED unless `force`; either way it is audited.
 */
export async function applyCompetition(db: Db, c: Competition, o: ApplyOptions): Promise<ApplyResult> {
  const sha256 = competitionHash(c);
  const outcome = await withWriteTransaction(db, async (tx) => {
    const stored = await readCompetition(tx);
    if (stored !== null && stored.competition.name !== c.name) {
      throw new LpcvError(
        'LPCV_E_COMPETITION_CONFIG',
        `name: this database runs competition ${stored.competition.name}, and a server runs one competition: apply ${stored.competition.name}'s bundle here, or use another data folder or database for ${c.name}`,
      );
    }
    if (stored?.sha256 === sha256) return { action: 'unchanged' as const, startedChanges: [] };
    const startedChanges = startedPhaseChanges(stored?.competition.phases ?? [], c.phases, o.now);
    if (startedChanges.length > 0 && o.force !== true) return { action: 'refused' as const, startedChanges };
    await writeCompetition(tx, c, sha256, o.now, o.actor);
    await auditCompetition(tx, {
      competition: c.name,
      at: o.now,
      actor: o.actor,
      action: stored === null ? 'created' : 'updated',
      detail: { sha256, previousSha256: stored?.sha256 ?? null, forced: startedChanges.length > 0, startedChanges },
    });
    return { action: stored === null ? ('created' as const) : ('updated' as const), startedChanges };
  });
  if (outcome.action === 'refused') {
    await auditCompetition(db, {
      competition: c.name,
      at: o.now,
      actor: o.actor,
      action: 'refused',
      detail: { sha256, startedChanges: outcome.startedChanges },
    });
    throw new LpcvError(
      'LPCV_E_COMPETITION_STARTED',
      `the bundle changes phases that have started (${describe(outcome.startedChanges)}): submissions were made under them; apply with --force to change them anyway (audited)`,
      { startedChanges: outcome.startedChanges.map((s) => ({ ...s })) },
    );
  }
  return { competition: c.name, action: outcome.action, sha256, startedChanges: outcome.startedChanges };
}
