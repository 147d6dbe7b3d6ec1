/**
 * The bulk export (docs/api.md, "Organizer operations"): one zip, written as it is read. Each table as CSV
 * and JSON, the competition bundle, every submission's stored upload, and a manifest last (its counts are
 * known only then). Nothing is held whole in memory or on disk: yazl writes one entry at a time, each
 * entry's stream is opened only when its turn comes (addReadStreamLazy), tables come in pages, and the
 * output's backpressure (a slow download) pauses the reading. Measured: docs/api.md.
 *
 * It is not a snapshot: tables are read one after another while the server runs, so a row written during
 * the export may be in a later table and not an earlier one. Stop the server first for a consistent copy.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PassThrough } from 'node:stream';
import { ZipFile } from 'yazl';
import type { ArtifactStore } from '../../submissions/store/artifact-store.js';
import { readCompetition } from '../competitions/competitions-table.js';
import type { Db } from '../db/index.js';
import { csvField } from '../leaderboard/leaderboard-csv.js';
import { exportTables, tableRows, type ExportTable } from './export-tables.js';

export interface ExportSummary {
  /** Rows per table, by its path in the archive (tables/teams, ...). */
  readonly rows: Record<string, number>;
  /** Uploads written under artifacts/. */
  readonly artifacts: number;
  readonly artifactBytes: number;
  /** Submissions whose upload is not in the store (left out; listed in the manifest). */
  readonly missingArtifacts: ReadonlyArray<{ readonly submission: string; readonly sha256: string }>;
  /** Every file in the archive, in order. */
  readonly entries: readonly string[];
}

const ARTIFACT_PAGE = 500;

/** Writes the export to `out` (a file, an HTTP answer) and resolves once all of it was written. */
export async function writeExport(db: Db, store: ArtifactStore, out: Writable, now: number): Promise<ExportSummary> {
  const zip = new ZipFile();
  const output = zip.outputStream as PassThrough;
  const mtime = new Date(now);
  const rows: Record<string, number> = {};
  const entries: string[] = [];
  const missingArtifacts: Array<{ submission: string; sha256: string }> = [];
  let artifacts = 0;
  let artifactBytes = 0;
  const summary = (): ExportSummary => ({ rows, artifacts, artifactBytes, missingArtifacts, entries });
  // The entry being written: closed when the export fails, so that no file stays open.
  let current: Readable | undefined;
  const fail = (e: unknown): void => {
    current?.destroy();
    output.destroy(e instanceof Error ? e : new Error(String(e)));
  };
  zip.on('error', fail);
  const add = (name: string, compress: boolean, open: () => Readable, size?: number): void => {
    entries.push(name);
    zip.addReadStreamLazy(name, { mtime, compress, ...(size === undefined ? {} : { size }) }, (cb) => {
      current = open().once('error', fail);
      cb(null, current);
    });
  };

  const written = pipeline(output, out);
  // It is awaited below; until then a failure must not count as an unhandled rejection.
  written.catch(() => undefined);
  try {
    for (const table of exportTables(db)) {
      add(`${table.path}.csv`, true, () => Readable.from(csvLines(table, rows)));
      add(`${table.path}.json`, true, () => Readable.from(jsonLines(table)));
    }
    const competition = await readCompetition(db);
    if (competition !== null) add('competition.json', true, () => Readable.from([`${JSON.stringify(competition.competition, null, 2)}\n`]));
    for await (const a of submittedArtifacts(db)) {
      const file = store.path(a.sha256);
      const size = await stat(file).then(
        (s) => s.size,
        () => undefined,
      );
      if (size === undefined) missingArtifacts.push({ submission: a.id, sha256: a.sha256 });
      else {
        artifacts += 1;
        artifactBytes += size;
        // Models barely compress; storing them saves the CPU.
        add(`artifacts/${a.id}.${a.format}`, false, () => createReadStream(file), size);
      }
    }
    // Its turn comes after every table was written: the row counts are complete by then.
    add('manifest.json', true, () => Readable.from([`${JSON.stringify(manifest(summary(), mtime), null, 2)}\n`]));
    zip.end();
  } catch (e) {
    fail(e);
  }
  await written;
  return summary();
}

function manifest(s: ExportSummary, exportedAt: Date): Record<string, unknown> {
  return {
    format: 'lpcv-export',
    version: 1,
    exportedAt: exportedAt.toISOString(),
    rows: s.rows,
    artifacts: s.artifacts,
    artifactBytes: s.artifactBytes,
    missingArtifacts: s.missingArtifacts,
    notes: [
      'tables/*.csv and tables/*.json hold the same rows; times are epoch milliseconds; *_json columns are JSON text.',
      'CSV text starting with =, +, -, @, tab or CR has a leading apostrophe (a spreadsheet must not run it); the JSON files have the exact values.',
      'artifacts/<submission id>.<format> are the uploads as stored (sha256 in tables/submissions).',
      'Not a snapshot: tables were read one after another.',
    ],
  };
}

/** The CSV text of a table, a page at a time; counts its rows into `rows` (the manifest's). */
async function* csvLines(table: ExportTable, rows: Record<string, number>): AsyncGenerator<Buffer> {
  rows[table.path] = 0;
  yield Buffer.from(`${table.columns.join(',')}\r\n`);
  for await (const page of tableRows(table)) {
    rows[table.path] += page.length;
    yield Buffer.from(page.map((r) => `${table.columns.map((c) => csvField(r[c] ?? null)).join(',')}\r\n`).join(''));
  }
}

/** The JSON array of a table, one row per line, a page at a time. */
async function* jsonLines(table: ExportTable): AsyncGenerator<Buffer> {
  let first = true;
  yield Buffer.from('[');
  for await (const page of tableRows(table)) {
    const text = page.map((r) => JSON.stringify(Object.fromEntries(table.columns.map((c) => [c, r[c] ?? null])))).join(',\n');
    yield Buffer.from(`${first ? '\n' : ',\n'}${text}`);
    first = false;
  }
  yield Buffer.from(first ? ']\n' : '\n]\n');
}

/** Every submission's stored upload, by submission id, a page at a time. */
async function* submittedArtifacts(db: Db): AsyncGenerator<{ id: string; sha256: string; format: string }> {
  for (let after: string | null = null; ;) {
    const query = db('submissions').select('id', 'sha256', 'format').orderBy('id').limit(ARTIFACT_PAGE);
    if (after !== null) query.where('id', '>', after);
    const page = (await query) as Array<{ id: string; sha256: string; format: string }>;
    if (page.length === 0) return;
    yield* page;
    after = page[page.length - 1]!.id;
  }
}
