import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LpcvError } from '../../errors/lpcv-error.js';
import { memoryHogModel } from '../../test/testing/hostile-onnx.js';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { OnnxProcess } from './onnx-process.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/onnx/', import.meta.url));
const tiny = path.join(fixtures, 'tiny-conv.onnx');
const input = (v: number): Float32Array => new Float32Array(784).fill(v);

describe('the ONNX inference child process', () => {
  it('loads a model, infers top-k and times a latency pass of exactly the asked length', async () => {
    const proc = await OnnxProcess.start({ timeoutMs: 60_000 });
    try {
      const info = await proc.load(tiny, 1, 'input');
      expect(info.inputNames).toEqual(['input']);
      expect(info.runtime).toMatch(/^onnxruntime-node \d+\.\d+/);
      const res = await proc.infer([input(0), input(1)], [1, 1, 28, 28], 'float32', { kind: 'topk', k: 5, classes: 10 });
      if (!('output' in res)) throw new Error('expected output');
      expect(res.output.rows).toHaveLength(2);
      for (const row of res.output.rows as number[][]) {
        expect(row).toHaveLength(5);
        expect(new Set(row).size).toBe(5);
      }
      expect(res.inferMs).toHaveLength(2);
      const lat = await proc.latency({
        inputs: [input(0)],
        shape: [1, 1, 28, 28],
        dtype: 'float32',
        warmupRuns: 3,
        minRuns: 25,
        minDurationMs: 0,
        maxRuns: 25,
      });
      expect(lat.warmupMs).toHaveLength(3);
      expect(lat.samplesMs).toHaveLength(25);
      expect(lat.samplesMs.every((ms) => ms > 0 && ms < 1000)).toBe(true);
    } finally {
      await proc.close();
    }
  });

  it("stops at the first output whose class count is not the track's", async () => {
    const proc = await OnnxProcess.start({ timeoutMs: 60_000 });
    try {
      await proc.load(tiny, 1, 'input');
      const res = await proc.infer([input(0)], [1, 1, 28, 28], 'float32', { kind: 'topk', k: 5, classes: 7 });
      expect(res).toEqual({ badOutput: 'output shape [1, 10] is not one row of 7 class scores', outputShape: [1, 10] });
    } finally {
      await proc.close();
    }
  });

  it('keeps timing until the minimum duration has passed as well as the minimum count', async () => {
    const proc = await OnnxProcess.start({ timeoutMs: 60_000 });
    try {
      await proc.load(tiny, 1, 'input');
      const t0 = Date.now();
      const lat = await proc.latency({
        inputs: [input(0)],
        shape: [1, 1, 28, 28],
        dtype: 'float32',
        warmupRuns: 0,
        minRuns: 1,
        minDurationMs: 300,
        maxRuns: 1e9,
      });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
      expect(lat.samplesMs.length).toBeGreaterThan(1);
    } finally {
      await proc.close();
    }
  });

  it('turns the death of the child into LPCV_E_MODEL_CRASHED, and the caller lives on', async () => {
    const proc = await OnnxProcess.start({ timeoutMs: 60_000 });
    await proc.load(tiny, 1, 'input');
    const pending = proc.latency({ inputs: [input(0)], shape: [1, 1, 28, 28], dtype: 'float32', warmupRuns: 0, minRuns: 1e9, minDurationMs: 0, maxRuns: 1e9 });
    setTimeout(() => process.kill(proc.pid!, 'SIGKILL'), 200);
    const e = await rejectionOf(pending);
    expect(e.code).toBe('LPCV_E_MODEL_CRASHED');
    expect(e.message).toContain('SIGKILL');
    expect(e.fault).toBe('submission');
    await proc.close();
  });

  it("runs in its own process group, and a stop signal from outside is the infrastructure's fault, not the model's", async () => {
    const proc = await OnnxProcess.start({ timeoutMs: 60_000 });
    await proc.load(tiny, 1, 'input');
    // /proc/<pid>/stat field 5 is the process group: its own pid, so a Ctrl-C for the agent never reaches it.
    const stat = readFileSync(`/proc/${proc.pid!}/stat`, 'utf8');
    expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])).toBe(proc.pid);
    const pending = proc.latency({ inputs: [input(0)], shape: [1, 1, 28, 28], dtype: 'float32', warmupRuns: 0, minRuns: 1e9, minDurationMs: 0, maxRuns: 1e9 });
    setTimeout(() => process.kill(proc.pid!, 'SIGTERM'), 200);
    const e = await rejectionOf(pending);
    expect(e.code).toBe('LPCV_E_WORKER_FAILED');
    expect(e.fault).toBe('infrastructure');
    expect(e.message).toContain('SIGTERM');
    await proc.close();
  });

  it('kills a model that never finishes at the time limit', async () => {
    const proc = await OnnxProcess.start({ timeoutMs: 1500 });
    await proc.load(path.join(fixtures, 'hang.onnx'), 1, 'input');
    const t0 = Date.now();
    const e = await rejectionOf(proc.infer([input(0)], [1, 1, 28, 28], 'float32', { kind: 'topk', k: 5, classes: 10 }));
    expect(e.code).toBe('LPCV_E_MODEL_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(10_000);
    await expect(proc.infer([input(0)], [1, 1, 28, 28], 'float32', { kind: 'topk', k: 5, classes: 10 })).rejects.toMatchObject({
      code: 'LPCV_E_MODEL_TIMEOUT',
    });
    await proc.close();
  });

  it('reports a model the runtime refuses as LPCV_E_MODEL_LOAD', async () => {
    const proc = await OnnxProcess.start({ timeoutMs: 60_000 });
    try {
      const e = await rejectionOf(proc.load(path.join(fixtures, 'make_fixtures.py'), 1, 'input'));
      expect(e.code).toBe('LPCV_E_MODEL_LOAD');
      expect(e.message.split('\n')).toHaveLength(1);
    } finally {
      await proc.close();
    }
  });
});

describe("the inference process's memory limit", () => {
  const hog = (): string => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'lpcv-hog-')), 'hog.onnx');
    writeFileSync(file, memoryHogModel(120_000));
    return file;
  };

  it('kills a process whose resident memory goes over the limit: LPCV_E_MODEL_MEMORY, the submission fault', async () => {
    const model = hog();
    const proc = await OnnxProcess.start({ timeoutMs: 60_000, maxRssBytes: 256 * 1024 * 1024, rssPollMs: 20 });
    try {
      await proc.load(model, 1, 'x');
      // The memory is read every 20 ms from outside: a run may end before a reading sees it, but onnxruntime's
      // arena keeps it, so the next reading does, and the next request meets the killed process.
      let e: LpcvError | undefined;
      for (let i = 0; i < 5 && e === undefined; i++) {
        e = await proc.infer([input(0)], [1, 1, 28, 28], 'float32', { kind: 'topk', k: 5, classes: 10 }).then(
          () => undefined,
          (err: unknown) => err as LpcvError,
        );
      }
      if (e === undefined) throw new Error('five runs of the hog were never stopped');
      expect(e.code).toBe('LPCV_E_MODEL_MEMORY');
      expect(e.fault).toBe('submission');
      expect(e.message).toMatch(/over the limit of 256 MiB/);
    } finally {
      await proc.close();
    }
    // Without a limit the same model runs (it holds some 370 MiB).
    const free = await OnnxProcess.start({ timeoutMs: 60_000 });
    try {
      await free.load(model, 1, 'x');
      const res = await free.infer([input(0)], [1, 1, 28, 28], 'float32', { kind: 'topk', k: 5, classes: 10 });
      expect('output' in res).toBe(true);
    } finally {
      await free.close();
    }
  }, 120_000);
});
