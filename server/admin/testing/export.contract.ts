/**
 * The bulk export, downloaded over real HTTP and written by `lpcv export`'s command, read back with Python's
 * zipfile (read-zip.ts) and checked against the database, on every database (export.sqlite.test.ts,
 * export.postgres.test.ts).
 */
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { issueLink } from '../../accounts/account-links.js';
import { insertAccount } from '../../accounts/accounts-table.js';
import { hashPassword } from '../../accounts/passwords.js';
import { describe, expect, it, vi } from 'vitest';
import type { DatabaseOptions } from '../../db/index.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { useTestDatabase } from '../../db/testing/suite-hooks.js';
import { call } from '../../http/testing/test-server.js';
import { listRecentAdminAudit } from '../admin-audit.js';
import { readZip, type ZipContents } from './read-zip.js';
import { startOperationsServer, T0, TEST_ADMIN_TOKEN, type OperationsServer } from './operations-server.js';

const TABLES = [
  'teams',
  'accounts',
  'team_members',
  'submissions',
  'jobs',
  'results',
  'job_events',
  'admin_audit',
  'rescore_audit',
  'competition_audit',
  'competitions',
];
/** A description a spreadsheet would run, with a comma, quotes and a line break: CSV's hard cases. */
const AWKWARD = '=1+2, "quoted"\nsecond line';

/** `lpcv export`'s command function (cli/commands/export.ts), passed in by the test files: server/ imports no cli/. */
export type ExportCommand = (o: DatabaseOptions & { out: string; json?: boolean }) => Promise<number>;

export function exportContract(backend: TestDatabase, exportCommand: ExportCommand, dataDir?: () => string): void {
  describe(`the bulk export on ${backend.name}`, () => {
    let api: OperationsServer;
    let scratch: string;
    const submissions: string[] = [];
    useTestDatabase(backend, {
      setUp: async () => {
        api = await startOperationsServer(backend, dataDir === undefined ? {} : { dataDir: dataDir() });
        scratch = mkdtempSync(path.join(tmpdir(), 'lpcv-export-out-'));
        const [a, b] = [await api.team('export-a'), await api.team('export-b')];
        submissions.push(await api.submit(a, 'fashion-mnist'));
        await api.runNext('done');
        submissions.push(await api.submit(b, 'fashion-public'));
        await api.runNext('done');
        await api.runNext('dead');
        await api.db('submissions').where('id', submissions[0]).update({ description: AWKWARD });
        const rerun = await call(api, 'POST', `/api/admin/submissions/${submissions[1]}/rerun`, TEST_ADMIN_TOKEN, { reason: 'export test' });
        expect(rerun.status).toBe(200);
      },
      tearDown: async () => {
        expect(api.internalErrors).toEqual([]);
        await api.close();
        rmSync(scratch, { recursive: true, force: true });
      },
    });

    const download = async (): Promise<ZipContents> => {
      const res = await call(api, 'GET', '/api/admin/export.zip', TEST_ADMIN_TOKEN);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/zip');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="lpcv-export-[0-9TZ-]+\.zip"$/);
      const file = path.join(scratch, `download-${Date.now()}.zip`);
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      return readZip(file);
    };

    it('lists every table as CSV and JSON, every upload by submission id, and a manifest last', async () => {
      const zip = await download();
      const tables = TABLES.flatMap((t) => [`tables/${t}.csv`, `tables/${t}.json`]);
      const artifacts = [...submissions].sort().map((id) => `artifacts/${id}.onnx`);
      // Uploads come in the database's order of ids (its collation): compared as a set.
      expect(zip.names.slice(0, tables.length)).toEqual(tables);
      expect(zip.names.slice(tables.length, -1).sort()).toEqual(artifacts);
      expect(zip.names.at(-1)).toBe('manifest.json');
      const sha = (await api.db('submissions').where('id', submissions[0]).first('sha256')) as { sha256: string };
      for (const a of artifacts) expect(zip.files[a]?.sha256).toBe(sha.sha256);
      const manifest = JSON.parse(zip.text['manifest.json']!) as { rows: Record<string, number>; artifacts: number; missingArtifacts: unknown[] };
      expect(manifest).toMatchObject({ artifacts: 2, missingArtifacts: [] });
      expect(manifest.rows['tables/submissions']).toBe(2);
      expect(manifest.rows['tables/jobs']).toBe(3);
      expect((await listRecentAdminAudit(api.db, 1))[0]).toMatchObject({ actor: 'admin (api)', action: 'export' });
    });

    it("writes the database's rows: CSV as a spreadsheet may open it, JSON exactly", async () => {
      const zip = await download();
      const columns = [
        'id',
        'team_id',
        'track',
        'split',
        'sha256',
        'bytes',
        'format',
        'filename',
        'description',
        'baseline_name',
        'job_id',
        'public_job_id',
        'created_at',
      ];
      const rows = (await api.db('submissions').orderBy('id').select(columns)) as Array<Record<string, unknown>>;
      const csv = zip.csv['tables/submissions.csv']!;
      const header = csv[0]!;
      const asCsv = (v: unknown): string => (v === null ? '' : typeof v === 'string' && /^[=+\-@]/.test(v) ? `'${v}` : String(v));
      expect(csv.slice(1).map((line) => columns.map((c) => line[header.indexOf(c)]))).toEqual(rows.map((r) => columns.map((c) => asCsv(r[c]))));
      const awkward = csv.find((line) => line[header.indexOf('id')] === submissions[0]);
      expect(awkward?.[header.indexOf('description')]).toBe(`'${AWKWARD}`);
      const json = JSON.parse(zip.text['tables/submissions.json']!) as Array<Record<string, unknown>>;
      expect(json.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]])))).toEqual(
        rows.map((r) => ({ ...r, bytes: Number(r.bytes), created_at: Number(r.created_at) })),
      );
      const jobs = JSON.parse(zip.text['tables/jobs.json']!) as Array<Record<string, unknown>>;
      expect(jobs.map((j) => j.state).sort()).toEqual(['done', 'queued', 'queued']);
      const events = JSON.parse(zip.text['tables/job_events.json']!) as Array<{ actor: string; to_state: string }>;
      expect(events.filter((e) => e.actor === 'admin (api)').map((e) => e.to_state)).toEqual(['queued', 'queued']);
      expect(JSON.parse(zip.text['tables/results.json']!)).toHaveLength(1);
    });

    it("holds no secret: no lease token, no token hash, not the admin token, no account's password hash or e-mailed link", async () => {
      const passwordHash = await hashPassword('a password nobody exports');
      const account = await insertAccount(api.db, 'member@example.org', passwordHash, T0);
      const link = await issueLink(api.db, { purpose: 'verify', email: account.email, accountId: account.id }, T0);
      const zip = await download();
      expect(zip.csv['tables/jobs.csv']![0]).not.toContain('lease_token');
      expect(JSON.parse(zip.text['tables/accounts.json']!)).toContainEqual(expect.objectContaining({ email: 'member@example.org' }));
      const hashes = (await api.db('tokens').pluck('token_hash')) as string[];
      expect(hashes.length).toBeGreaterThan(0);
      const linkHashes = (await api.db('account_links').pluck('token_hash')) as string[];
      const everything = Object.values(zip.text).join('\n');
      for (const secret of [...hashes, ...linkHashes, link, passwordHash, 'password_hash', TEST_ADMIN_TOKEN, 'token_hash', 'lpcv_team_'])
        expect(everything).not.toContain(secret);
    });

    it('is what lpcv export writes too, audited as the CLI; an upload missing from the store is listed, not written', async () => {
      const config = backend.config();
      const options: DatabaseOptions =
        config.client === 'sqlite'
          ? { dataDir: api.dataDir }
          : { dataDir: api.dataDir, databaseUrl: config.connectionString, ...(config.schema ? { databaseSchema: config.schema } : {}) };
      const out = path.join(scratch, 'cli.zip');
      const printed: string[] = [];
      const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        printed.push(String(chunk));
        return true;
      });
      try {
        expect(await exportCommand({ ...options, out, json: true })).toBe(0);
      } finally {
        write.mockRestore();
      }
      const summary = JSON.parse(printed.join('')) as { out: string; artifacts: number };
      expect(summary).toMatchObject({ out, artifacts: 2 });
      const zip = readZip(out);
      expect(zip.names.filter((n) => n.startsWith('artifacts/'))).toHaveLength(2);
      expect((await listRecentAdminAudit(api.db, 1))[0]).toMatchObject({ actor: 'cli', action: 'export', detail: { out } });

      const sha = ((await api.db('submissions').first('sha256')) as { sha256: string }).sha256;
      unlinkSync(api.store.path(sha));
      const without = await download();
      expect(without.names.filter((n) => n.startsWith('artifacts/'))).toEqual([]);
      const manifest = JSON.parse(without.text['manifest.json']!) as { missingArtifacts: Array<{ submission: string; sha256: string }> };
      expect(manifest.missingArtifacts.map((m) => m.submission).sort()).toEqual([...submissions].sort());
    });
  });
}
