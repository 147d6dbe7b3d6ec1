import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { parseCompletion } from './completion-schema.js';

const base = {
  measurement: {
    predictions: { kind: 'topk', ids: ['a', 'b'], topk: [[1, 0], [0]] },
    runtime: 'r 1',
    threads: 1,
    protocol: { warmupRuns: 1, minRuns: 2, minDurationMs: 0, maxRuns: 2 },
    latencyMs: [1, 2],
    warmupMs: [3],
    preprocessMs: [],
  },
  target: { kind: 'desktop', device: 'd', runtime: 'r 1', threads: 1, os: 'linux', cpu: 'c' },
  energy: null,
  startedAt: '2027-01-15T08:00:00.000Z',
  finishedAt: '2027-01-15T08:00:01.000Z',
};

function codeAndMessage(body: unknown): { code: string; message: string } {
  try {
    parseCompletion(body);
  } catch (e) {
    if (e instanceof LpcvError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected an error');
}

describe('parseCompletion', () => {
  it('accepts a top-k completion and keeps power samples', () => {
    const { completion } = parseCompletion({ ...base, power: [{ t: 0, watts: 2 }] });
    expect(completion.measurement.predictions).toEqual({ kind: 'topk', ids: ['a', 'b'], topk: [[1, 0], [0]] });
    expect(completion.power).toEqual([{ t: 0, watts: 2 }]);
    expect(completion.energy).toBeNull();
  });

  it('decodes uint8 and little-endian uint16 label maps', () => {
    const u16 = Buffer.alloc(4);
    u16.writeUInt16LE(258, 0);
    u16.writeUInt16LE(7, 2);
    const maps = [
      { width: 2, height: 1, bytesPerValue: 1, data: Buffer.from([3, 4]).toString('base64') },
      { width: 1, height: 2, bytesPerValue: 2, data: u16.toString('base64') },
    ];
    const { completion } = parseCompletion({ ...base, measurement: { ...base.measurement, predictions: { kind: 'label-maps', ids: ['a', 'b'], maps } } });
    const p = completion.measurement.predictions;
    if (p.kind !== 'label-maps') throw new Error('expected label maps');
    expect(p.maps[0]!.data).toEqual(new Uint8Array([3, 4]));
    expect(p.maps[1]!.data).toEqual(new Uint16Array([258, 7]));
  });

  it('names the key of what is malformed', () => {
    expect(codeAndMessage({ ...base, energy: { joules: -1, avgWatts: 1, source: 's', sampleCount: 1 } })).toMatchObject({ code: 'LPCV_E_PRED_MALFORMED', message: expect.stringMatching(/energy\.joules/) });
    expect(codeAndMessage({ ...base, measurement: { ...base.measurement, predictions: { kind: 'topk', ids: ['a'], topk: [[1], [2]] } } }).message).toMatch(/predictions\.topk: 2 entries for 1 ids/);
    const short = { width: 2, height: 2, bytesPerValue: 2, data: Buffer.alloc(4).toString('base64') };
    expect(codeAndMessage({ ...base, measurement: { ...base.measurement, predictions: { kind: 'label-maps', ids: ['a'], maps: [short] } } }).message).toMatch(/maps\.0\.data: 4 bytes/);
    expect(codeAndMessage({ ...base, extra: 1 }).message).toMatch(/extra|Unrecognized/);
    expect(codeAndMessage({ ...base, startedAt: 'yesterday' }).message).toMatch(/startedAt/);
  });
});
