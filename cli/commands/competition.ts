/**
 * `lpcv competition validate <file>` and `lpcv competition apply <file>` (docs/running-a-competition.md): check a
 * competition bundle, and store it in a server's database (idempotent; a change to a phase that has started
 * needs --force and is audited).
 */
import { loadCompetitionFile, type LoadedCompetition } from '../../harness/competitions/load-competition.js';
import { phaseState } from '../../harness/competitions/phase-clock.js';
import { applyCompetition } from '../../server/competitions/apply-competition.js';
import { withDatabase, type DatabaseOptions } from '../../server/db/index.js';

const iso = (ms: number): string => new Date(ms).toISOString();

function summary(l: LoadedCompetition, now: number): string {
  const c = l.competition;
  const lines = [`${c.name}: ${c.title}; tracks ${c.tracks.join(', ')}`];
  for (const p of c.phases) {
    const quota = [
      p.quota.perDay !== null ? `${p.quota.perDay}/day` : null,
      p.quota.total !== null ? `${p.quota.total} total` : null,
      p.quota.failed !== null ? `${p.quota.failed} failed` : null,
    ]
      .filter((x) => x !== null)
      .join(', ');
    lines.push(
      `  phase ${p.name} (${phaseState(p, now)}): ${iso(p.startAt)} to ${iso(p.endAt)}; tracks ${p.tracks.join(', ')}; ${p.board} board${p.boardVisible ? '' : ' (hidden while open)'}; reveal ${p.reveal}${quota === '' ? '' : `; ${quota}`}${p.rounds.length > 0 ? `; rounds ${p.rounds.map((r) => r.name).join(', ')}` : ''}`,
    );
  }
  if (c.webhooks.length > 0) lines.push(`  webhooks: ${c.webhooks.map((w) => `${w.url} (${w.events.join(', ')}; secret in $${w.secretEnv})`).join('; ')}`);
  return `${lines.join('\n')}\n`;
}

export function competitionValidateCommand(file: string, o: { json?: boolean }): number {
  const loaded = loadCompetitionFile(file);
  process.stdout.write(
    o.json === true ? `${JSON.stringify({ valid: true, file: loaded.file, competition: loaded.competition })}\n` : `valid: ${summary(loaded, Date.now())}`,
  );
  return 0;
}

export interface ApplyCommandOptions extends DatabaseOptions {
  readonly force?: boolean;
  readonly json?: boolean;
}

export async function competitionApplyCommand(file: string, o: ApplyCommandOptions): Promise<number> {
  const loaded = loadCompetitionFile(file);
  const now = Date.now();
  const result = await withDatabase(o, (db) => applyCompetition(db, loaded.competition, { now, actor: 'cli', force: o.force === true }));
  if (o.json === true) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const what = result.action === 'unchanged' ? 'unchanged (the database already holds this bundle)' : result.action;
    const forced = result.startedChanges.length > 0 ? ` (forced: ${result.startedChanges.map((s) => `${s.phase} ${s.change}`).join(', ')}; audited)` : '';
    process.stdout.write(`${result.competition}: ${what}${forced}\n${summary(loaded, now)}`);
  }
  return 0;
}
