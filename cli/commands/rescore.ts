/**
 * `lpcv rescore --track <t> [--formula name@version] [--param k=v ...] [--track-file] [--dry-run] [--json]`
 * (docs/rescoring.md): re-scores every stored result of the track in the server's database from its raw
 * measurements, prints who moved from where to where, and records the re-score in the audit log as 'cli'.
 */
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { parseParamArgs, rescoreTrack, type RescoreReport } from '../../server/rescore/index.js';
import { withDatabase, type DatabaseOptions } from '../../server/db/index.js';

export interface RescoreCommandOptions extends DatabaseOptions {
  readonly track: string;
  readonly formula?: string;
  readonly param?: readonly string[];
  readonly trackFile?: boolean;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

const params = (p: Readonly<Record<string, unknown>>): string =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ') || 'no parameters';

export function describeReport(r: RescoreReport): string {
  const lines = [
    `${r.dryRun ? 'Dry run: would re-score' : 'Re-scored'} track ${r.track}: ${r.old.formula} (${params(r.old.params)}) -> ${r.new.formula} (${params(r.new.params)})${r.new.source === 'track-file' ? ", the track file's formula" : ''}`,
    `${r.results.total} stored result(s): ${r.results.changed} score(s) changed, ${r.results.failed} could not be re-scored.`,
  ];
  if (r.droppedParams.length > 0) lines.push(`Parameters the new formula does not take were dropped: ${r.droppedParams.join(', ')}.`);
  for (const f of r.failures) lines.push(`  not re-scored: ${f.submission} (${f.split}): ${f.code}: ${f.message}`);
  lines.push(r.moves.length === 0 ? 'No rank changed.' : 'Rank changes:');
  for (const m of r.moves) lines.push(`  ${m}`);
  lines.push(`Audit log entry ${r.auditId}${r.dryRun ? ' (dry run: nothing else was stored)' : ''}.`);
  return `${lines.join('\n')}\n`;
}

export async function rescoreCommand(o: RescoreCommandOptions): Promise<number> {
  const track = resolveTrack(o.track);
  const given = parseParamArgs(o.param ?? []);
  const report = await withDatabase(o, (db) =>
    rescoreTrack(db, track, {
      ...(o.formula !== undefined ? { formula: o.formula } : {}),
      params: given,
      ...(o.trackFile === true ? { trackFile: true } : {}),
      dryRun: o.dryRun === true,
      actor: 'cli',
      now: Date.now,
    }),
  );
  process.stdout.write(o.json ? `${JSON.stringify(report)}\n` : describeReport(report));
  return 0;
}
