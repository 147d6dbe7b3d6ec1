/**
 * `lpcv export --out file.zip [--data-dir D] [--database-url U]` (docs/cli.md): the server's data as one
 * zip (server/admin/export-zip.ts), written to a temporary file beside `--out` and renamed into place when
 * complete, so that a broken export never leaves a file that looks whole. Recorded in the admin audit as 'cli'.
 */
import { createWriteStream } from 'node:fs';
import { access, constants, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import { ArtifactStore } from '../../submissions/store/artifact-store.js';
import { recordAdminAudit, writeExport, type ExportSummary } from '../../server/admin/index.js';
import { withDatabase, type DatabaseOptions } from '../../server/db/index.js';

export interface ExportCommandOptions extends DatabaseOptions {
  readonly out: string;
  readonly json?: boolean;
}

export function describeExport(out: string, s: ExportSummary): string {
  const lines = [`Wrote ${out}: ${s.entries.length} files.`];
  for (const [table, rows] of Object.entries(s.rows)) lines.push(`  ${table}: ${rows} row(s)`);
  lines.push(`  artifacts: ${s.artifacts} upload(s), ${s.artifactBytes} bytes`);
  for (const m of s.missingArtifacts) lines.push(`  missing from the store: ${m.sha256} (submission ${m.submission})`);
  return `${lines.join('\n')}\n`;
}

export async function exportCommand(o: ExportCommandOptions): Promise<number> {
  const out = path.resolve(o.out);
  if (!out.endsWith('.zip')) throw new LpcvError('LPCV_E_USAGE', `--out must name a .zip file, got ${JSON.stringify(o.out)}`);
  await access(path.dirname(out), constants.W_OK).catch(() => {
    throw new LpcvError('LPCV_E_USAGE', `--out: cannot write into ${path.dirname(out)} (missing or not writable)`);
  });
  // The uploads are in the data folder whichever database holds the rows.
  const store = new ArtifactStore(path.join(path.resolve(o.dataDir ?? 'data'), 'artifacts'));
  const partial = `${out}.partial`;
  const summary = await withDatabase(o, async (db) => {
    const now = Date.now();
    await recordAdminAudit(db, { at: now, actor: 'cli', action: 'export', detail: { via: 'lpcv export', out } });
    try {
      const written = await writeExport(db, store, createWriteStream(partial), now);
      await rename(partial, out);
      return written;
    } catch (e) {
      await rm(partial, { force: true });
      throw e;
    }
  });
  process.stdout.write(o.json ? `${JSON.stringify({ out, ...summary })}\n` : describeExport(out, summary));
  return 0;
}
