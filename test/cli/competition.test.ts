import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, lpcv } from '../testing/run-lpcv.js';

const SAMPLE = path.join(ROOT, 'competitions/sample/competition.yaml');

describe('lpcv competition validate and apply', () => {
  it('validate exits 0 on the sample bundle and prints its phases', async () => {
    const r = await lpcv(['competition', 'validate', SAMPLE]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^valid: lpcv-sample: LPCV sample challenge/);
    expect(r.stdout).toMatch(/phase final \(upcoming\): 2035-01-01T05:00:00.000Z to 2035-01-15T05:00:00.000Z/);
  });

  it('validate exits 3 with LPCV_E_COMPETITION_CONFIG naming the file and the key, on one line (and as JSON)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-bundle-'));
    const bad = path.join(dir, 'bad.yaml');
    // The sample's tracks as built-in names (the copy sits elsewhere), and the final starting before dev ends.
    const text = readFileSync(SAMPLE, 'utf8')
      .replace('../../tracks/fashion-mnist', 'fashion-mnist')
      .replace(/(["'])2035-01-01T00:00:00-05:00\1/, "'2034-01-01T00:00:00Z'");
    expect(text).toContain("start: '2034-01-01T00:00:00Z'");
    writeFileSync(bad, text);
    const r = await lpcv(['competition', 'validate', bad]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^lpcv: LPCV_E_COMPETITION_CONFIG: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: phases\\.1\\.start: phase final .* overlaps phase development`,
      ),
    );
    const j = await lpcv(['competition', 'validate', bad, '--json']);
    expect(j.exitCode).toBe(3);
    expect(JSON.parse(j.stdout)).toMatchObject({ error: { code: 'LPCV_E_COMPETITION_CONFIG' } });
  });

  it('apply stores the bundle in a data folder once: the second apply changes nothing', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lpcv-apply-'));
    const first = await lpcv(['competition', 'apply', SAMPLE, '--data-dir', dataDir, '--json']);
    expect(first.exitCode).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ competition: 'lpcv-sample', action: 'created' });
    const again = await lpcv(['competition', 'apply', SAMPLE, '--data-dir', dataDir]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/^lpcv-sample: unchanged/);
  });
});
