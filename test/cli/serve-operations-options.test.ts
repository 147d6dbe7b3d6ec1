/**
 * `lpcv serve`'s operations options given wrong: one coded line, exit 2, and nothing created in the data folder
 * (the options are checked before anything opens).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneLineError, lpcv } from '../testing/run-lpcv.js';

describe('lpcv serve: bad --log-format, --log-level, --metrics-listen', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-serve-opts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [['--log-format', 'xml'], /--log-format.*xml.*text, json/],
    [['--log-level', 'loud'], /--log-level.*loud/],
    [['--metrics-listen', '9464'], /--metrics-listen "9464" is not HOST:PORT/],
    [['--metrics-listen', '127.0.0.1:99999'], /--metrics-listen "127\.0\.0\.1:99999" is not HOST:PORT/],
    [['--metrics-listen', 'host name:80'], /is not HOST:PORT/],
  ])(
    '%j',
    async (args, why) => {
      const data = path.join(dir, args.join('_').replace(/[^a-z0-9]/gi, '_'));
      const r = await lpcv(['serve', '--port', '0', '--data-dir', data, '--no-local-agent', '--no-baselines', ...args]);
      expect(r.exitCode).toBe(2);
      const { code, message } = expectOneLineError(r);
      expect(code).toBe('LPCV_E_USAGE');
      expect(message).toMatch(why);
      expect(existsSync(data)).toBe(false);
    },
    60_000,
  );
});
