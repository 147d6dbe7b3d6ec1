import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { identityChainModel } from '../../test/testing/hostile-onnx.js';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { aihubJobArtifact } from '../aihub/aihub-job-artifact.js';
import { inlineModelCheck, ModelCheckPool, type ModelCheck } from './check-pool.js';

const track = resolveTrack('fashion-mnist');

describe('the model check pool', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'lpcv-check-pool-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const dir = (): string => scratch;
  const write = (name: string, bytes: Uint8Array): string => {
    const file = path.join(dir(), name);
    writeFileSync(file, bytes);
    return file;
  };
  /** ~9 MB, 300,000 nodes, the wrong input size: seconds of decoding before the refusal. */
  const hostile = (): string => write('chain.onnx', identityChainModel(300_000));

  it('gives the report the inline check gives, refusals included', async () => {
    const pool = new ModelCheckPool({ workers: 1 });
    try {
      const good = write('tiny-conv.onnx', fixtureBytes('tiny-conv.onnx'));
      const text = write('notes.onnx', new TextEncoder().encode('not a model at all'));
      for (const file of [good, text]) expect(await pool.check(file, track)).toEqual(await inlineModelCheck(file, track));
      expect((await pool.check(good, track)).ok).toBe(true);
      expect((await pool.check(text, track)).problems[0]?.code).toBe('LPCV_E_MODEL_NOT_ONNX');
    } finally {
      await pool.close();
    }
  });

  it('passes an AI Hub compile job reference on a track that takes them, as the inline check does', async () => {
    const pool = new ModelCheckPool({ workers: 1 });
    try {
      const job = write('job.json', aihubJobArtifact('j1p3kx9qg'));
      const takesJobs = { ...track, formats: ['aihub-job' as const] };
      const report = await pool.check(job, takesJobs);
      expect(report).toEqual(await inlineModelCheck(job, takesJobs));
      expect(report).toMatchObject({ ok: true, model: { format: 'aihub-job' } });
    } finally {
      await pool.close();
    }
  });

  it("checks off the caller's thread: its timers keep firing while a huge graph is read (and do not, inline)", async () => {
    const file = hostile();
    const ticksDuring = async (check: ModelCheck): Promise<{ ticks: number; code: string | undefined }> => {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      try {
        const report = await check(file, track);
        return { ticks, code: report.problems[0]?.code };
      } catch (e) {
        return { ticks, code: (e as { code?: string }).code };
      } finally {
        clearInterval(timer);
      }
    };
    const pool = new ModelCheckPool({ workers: 1 });
    try {
      const pooled = await ticksDuring(pool.check);
      expect(pooled.code).toBe('LPCV_E_MODEL_TOO_COMPLEX');
      expect(pooled.ticks).toBeGreaterThanOrEqual(3);
    } finally {
      await pool.close();
    }
    expect(await ticksDuring(inlineModelCheck)).toEqual({ ticks: 0, code: 'LPCV_E_MODEL_TOO_COMPLEX' });
  }, 60_000);

  it('refuses a file that takes longer than the time limit as too complex, and goes on with a fresh worker', async () => {
    const pool = new ModelCheckPool({ workers: 1, timeoutMs: 250 });
    try {
      const e = await rejectionOf(pool.check(hostile(), track));
      expect(e.code).toBe('LPCV_E_MODEL_TOO_COMPLEX');
      expect(e.message).toMatch(/longer than the server allows one file \(250 ms\)/);
      // The clock starts once a worker has loaded its code: a fresh worker checks a small model well within 250 ms.
      expect((await pool.check(write('tiny-conv.onnx', fixtureBytes('tiny-conv.onnx')), track)).ok).toBe(true);
      expect(pool.load).toEqual({ running: 0, waiting: 0 });
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('refuses a file that needs more heap than a worker has as too complex', async () => {
    const pool = new ModelCheckPool({ workers: 1, maxHeapMb: 16 });
    try {
      const e = await rejectionOf(pool.check(hostile(), track));
      expect(e.code).toBe('LPCV_E_MODEL_TOO_COMPLEX');
      expect(e.message).toMatch(/more than the 16 MiB/);
      expect((await pool.check(write('tiny-conv.onnx', fixtureBytes('tiny-conv.onnx')), track)).ok).toBe(true);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('refuses at once an upload beyond the ones being checked and waiting: LPCV_E_SERVER_BUSY with a retry time', async () => {
    const pool = new ModelCheckPool({ workers: 1, maxWaiting: 1 });
    try {
      const file = hostile();
      const first = pool.check(file, track);
      const second = pool.check(file, track);
      expect(pool.load).toEqual({ running: 1, waiting: 1 });
      const third = await rejectionOf(pool.check(file, track));
      expect(third.code).toBe('LPCV_E_SERVER_BUSY');
      expect(third.detail).toEqual({ retryAfterSeconds: 5 });
      for (const report of await Promise.all([first, second])) expect(report.problems[0]?.code).toBe('LPCV_E_MODEL_TOO_COMPLEX');
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('refuses pool settings that are not whole numbers of at least 1', () => {
    for (const o of [{ workers: 0 }, { workers: 1.5 }, { timeoutMs: -1 }, { maxHeapMb: Number.NaN }, { maxWaiting: -1 }]) {
      expect(() => new ModelCheckPool(o), JSON.stringify(o)).toThrow(expect.objectContaining({ code: 'LPCV_E_USAGE' }));
    }
  });
});
