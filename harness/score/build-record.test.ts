import { describe, expect, it } from 'vitest';
import { resolveTrack } from '../tracks/load-track.js';
import type { Track } from '../tracks/track.js';
import { buildResultRecord, measuresOf, type RecordInputs } from './build-record.js';

const base = resolveTrack('fashion-mnist');
const withScore = (score: Track['score']): Track => ({ ...base, score });

function inputs(track: Track, extra: Partial<RecordInputs> = {}): RecordInputs {
  return {
    track,
    split: 'val',
    model: { path: '/m.onnx', sha256: 'ab', bytes: 1, format: 'onnx' },
    target: { kind: 'ultra96-v2', device: 'u96', runtime: 'r', threads: 1, os: 'o', cpu: 'c' },
    accuracy: { map: 0.35 },
    latencyMs: [40, 50, 60],
    preprocessMs: [],
    protocol: { warmupRuns: 0, minRuns: 3, minDurationMs: 0, maxRuns: 3 },
    accuracyImages: 20288,
    energy: null,
    startedAt: 's',
    finishedAt: 'f',
    ...extra,
  };
}

describe('the measures a record gives its formula', () => {
  it('passes the wall clock, the energy window and the idle figure', () => {
    const m = measuresOf(
      {
        accuracy: { map: 0.35 },
        energy: { joules: 2000, avgWatts: 2, source: 'pmbus', sampleCount: 10, windowSeconds: 1000, idle: { watts: 1.5, source: 'measured' } },
        wall: { durationMs: 1_014_400, images: 20288 },
      },
      null,
    );
    expect(m).toMatchObject({
      energyJoules: 2000,
      durationSeconds: 1014.4,
      images: 20288,
      energyWindowSeconds: 1000,
      idle: { watts: 1.5, source: 'measured' },
    });
    // without a wall clock there is no duration and no image count to divide by it
    expect(measuresOf({ accuracy: {}, energy: null }, null)).toMatchObject({ energyJoules: null, durationSeconds: null, images: null, idle: null });
  });

  it('scores lpcv2021-fpga from a batch run: fps from the wall clock, energy in J', () => {
    // 20288 images in 1014.4 s = 20 fps; 1e4 / 2000 J x (0.35 - 0.2) x (20 - 5) = 11.25
    const rec = buildResultRecord(
      inputs(withScore({ formula: 'lpcv2021-fpga', version: 1, params: {} }), {
        energy: { joules: 2000, avgWatts: 1.97, source: 'pmbus', sampleCount: 20288, windowSeconds: 1014.4 },
        wall: { durationMs: 1_014_400, images: 20288 },
      }),
    );
    expect(rec.score.formula).toBe('lpcv2021-fpga');
    expect(rec.score.value).toBeCloseTo(11.25, 10);
    expect(rec.score.qualified).toBe(true);
    // the record's score keeps its shape: no inputs or missing in it, and the statistic it used (none: fps from the wall clock)
    expect(Object.keys(rec.score).sort()).toEqual(['formula', 'qualified', 'statistic', 'value', 'version']);
    expect(rec.score.statistic).toBeNull();
  });

  it('subtracts the measured idle figure over the energy window when the track asks for it', () => {
    // 18000 J = 5 Wh; measured idle 2 W x 3600 s = 2 Wh; 0.9 / 3 Wh = 0.3
    const rec = buildResultRecord(
      inputs(withScore({ formula: 'lpcv2021-video', version: 1, params: { accuracy: 'f1', idle: 'record' } }), {
        accuracy: { f1: 0.9 },
        energy: { joules: 18000, avgWatts: 5, source: 'wt310', sampleCount: 3600, windowSeconds: 3600, idle: { watts: 2, source: 'measured' } },
      }),
    );
    expect(rec.score.value).toBeCloseTo(0.3, 12);
  });

  it('gives no score, with a reason, when the formula needs energy and the run has none', () => {
    const rec = buildResultRecord(inputs(withScore({ formula: 'lpirc', version: 1, params: { accuracy: 'map' } }), { energyNote: 'no sensor' }));
    expect(rec.score).toEqual({ formula: 'lpirc', version: 1, value: null, qualified: false, reason: 'no energy was measured', statistic: null });
    expect(rec.energyNote).toBe('no sensor');
  });
});
