import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { ModelFormat } from '../../submissions/model-format.js';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import type { Target, TargetJob, TargetRun } from './target.js';
import { MultiFormatTarget } from './multi-format-target.js';

function part(format: ModelFormat, probeFails = false): Target & { ran: number } {
  return {
    name: 'box',
    kind: 'desktop',
    formats: [format],
    ran: 0,
    capabilities: () => ({ driver: format }),
    probe: async () => {
      if (probeFails) throw new LpcvError('LPCV_E_SANDBOX_UNAVAILABLE', 'no bwrap here');
      return { kind: 'desktop', device: 'box', runtime: format, threads: 1, os: 'test', cpu: 'test' };
    },
    async run(this: { ran: number }): Promise<TargetRun> {
      this.ran += 1;
      return {
        measurement: {
          predictions: { kind: 'topk', ids: [], topk: [] },
          runtime: format,
          threads: 1,
          protocol: { warmupRuns: 0, minRuns: 1, minDurationMs: 0, maxRuns: 1 },
          latencyMs: [1],
          warmupMs: [],
          preprocessMs: [],
        },
        target: { kind: 'desktop', device: 'box', runtime: format, threads: 1, os: 'test', cpu: 'test' },
        energy: null,
        energyNote: 'none',
      };
    },
  };
}

const job = (format: ModelFormat): TargetJob => ({ artifact: { format } }) as unknown as TargetJob;

describe('a device of several formats', () => {
  it('hands each job to the part for its format', async () => {
    const onnx = part('onnx');
    const zip = part('zip');
    const t = new MultiFormatTarget([onnx, zip]);
    expect(t.formats).toEqual(['onnx', 'zip']);
    expect((await t.run(job('zip'))).measurement.runtime).toBe('zip');
    expect((await t.run(job('onnx'))).measurement.runtime).toBe('onnx');
    expect([onnx.ran, zip.ran]).toEqual([1, 1]);
    expect((await rejectionOf(t.run(job('tflite')))).code).toBe('LPCV_E_TARGET_FORMAT');
  });

  it('drops a part whose probe fails, says so, and keeps serving the others', async () => {
    const lines: string[] = [];
    const t = new MultiFormatTarget([part('onnx'), part('zip', true)], (l) => lines.push(l));
    expect((await t.probe()).runtime).toBe('onnx');
    expect(t.formats).toEqual(['onnx']);
    expect(t.capabilities()).toMatchObject({ formats: ['onnx'] });
    expect(lines.join('\n')).toMatch(/zip unavailable \(no bwrap here\); serving onnx/);
    expect((await rejectionOf(t.run(job('zip')))).code).toBe('LPCV_E_TARGET_FORMAT');
  });

  it('fails its probe when no part works', async () => {
    const t = new MultiFormatTarget([part('zip', true)]);
    expect((await rejectionOf(t.probe())).code).toBe('LPCV_E_SANDBOX_UNAVAILABLE');
  });
});
