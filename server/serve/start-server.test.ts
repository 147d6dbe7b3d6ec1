import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { startServer } from './start-server.js';

describe('startServer configuration', () => {
  it('refuses a port out of range, a data folder that is a file and a baseline trial count out of 1..100, with LPCV_E_USAGE', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-serve-cfg-'));
    try {
      const base = { dataDir: dir, log: () => {}, env: {} };
      await expect(startServer({ ...base, port: 70_000 })).rejects.toMatchObject({
        code: 'LPCV_E_USAGE',
        message: expect.stringMatching(/port 70000/) as unknown,
      });
      await expect(startServer({ ...base, port: -1 })).rejects.toBeInstanceOf(LpcvError);
      for (const baselineTrials of [0, 101, 1.5]) {
        await expect(startServer({ ...base, port: 0, baselineTrials })).rejects.toMatchObject({
          code: 'LPCV_E_USAGE',
          message: `--baseline-trials expects an integer from 1 to 100, got "${baselineTrials}"`,
        });
      }
      const file = path.join(dir, 'a-file');
      writeFileSync(file, 'x');
      await expect(startServer({ ...base, port: 0, dataDir: file })).rejects.toMatchObject({
        code: 'LPCV_E_USAGE',
        message: expect.stringMatching(/data folder/) as unknown,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
