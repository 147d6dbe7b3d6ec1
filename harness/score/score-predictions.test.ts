import { describe, expect, it } from 'vitest';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { sampleTrackScoredByMean } from '../../test/testing/sample-track.js';
import { scorePredictions } from './score-predictions.js';
import { buildResultRecord } from './build-record.js';

const track = sampleTrackScoredByMean();
const labels = { task: 'classification' as const, ids: ['a', 'b', 'c', 'd'], labels: [1, 2, 3, 4] };

describe("scoring a device's predictions with the labels", () => {
  it('computes top-1, top-5 and per-class figures with class names', async () => {
    // a: right at rank 1; b: right at rank 2; c: absent from its top 5; d: right at rank 5.
    const topk = [
      [1, 0, 2, 3, 4],
      [0, 2, 1, 3, 4],
      [0, 1, 2, 4, 5],
      [0, 1, 2, 3, 4],
    ];
    const r = await scorePredictions(track, { kind: 'topk', ids: labels.ids, topk }, labels);
    expect(r.accuracy).toEqual({ top1: 0.25, top5: 0.75 });
    expect(r.perClass.find((c) => c.classIndex === 1)).toMatchObject({ name: 'Trouser', count: 1, top1: 1 });
    expect(r.perClass.find((c) => c.classIndex === 0)).toMatchObject({ name: 'T-shirt/top', count: 0, top1: null });
  });

  it('adds the macro F1 of the top-1 predictions when the track lists f1', async () => {
    const withF1 = { ...track, metrics: ['top1', 'f1'] as typeof track.metrics };
    // Top-1: a->1 (right), b->0 (label 2), c->0 (label 3), d->4 (right). Per class: 1 and 4 have F1 1; 0 is
    // predicted twice and never true (F1 0); 2 and 3 occur once and are never predicted (F1 0); classes
    // 5..9 take no part. Macro F1 = (1 + 1 + 0 + 0 + 0) / 5.
    const topk = [[1], [0], [0], [4]];
    const r = await scorePredictions(withF1, { kind: 'topk', ids: labels.ids, topk }, labels);
    expect(r.accuracy).toEqual({ top1: 0.5, f1: 0.4 });
    expect((await scorePredictions(track, { kind: 'topk', ids: labels.ids, topk }, labels)).accuracy).not.toHaveProperty('f1');
  });

  it('refuses predictions for other images, or in another order', async () => {
    const topk = [[1], [2], [3], [4]];
    const swapped = await rejectionOf(scorePredictions(track, { kind: 'topk', ids: ['b', 'a', 'c', 'd'], topk }, labels));
    expect(swapped.code).toBe('LPCV_E_PRED_MISMATCH');
    const short = await rejectionOf(scorePredictions(track, { kind: 'topk', ids: ['a', 'b', 'c'], topk: topk.slice(0, 3) }, labels));
    expect(short.message).toContain('cover 3 images, the split has 4');
  });

  it('builds the record from raw samples: statistics and the formula come from the same numbers', () => {
    const rec = buildResultRecord({
      track,
      split: 'val',
      model: { path: '/m.onnx', sha256: 'ab', bytes: 1, format: 'onnx' },
      target: { kind: 'desktop', device: 'h', runtime: 'r', threads: 1, os: 'o', cpu: 'c' },
      accuracy: { top1: 0.9, top5: 1 },
      latencyMs: [2, 4, 6],
      preprocessMs: [],
      protocol: { warmupRuns: 1, minRuns: 3, minDurationMs: 0, maxRuns: 3 },
      accuracyImages: 4,
      energy: null,
      energyNote: 'no sensor',
      startedAt: 's',
      finishedAt: 'f',
    });
    expect(rec.latency).toMatchObject({ count: 3, mean: 4, p50: 4, min: 2, max: 6 });
    // accuracy-per-time: 0.9 / (4 ms / 1000) = 225 per second, by the mean, which has no interval without trials.
    expect(rec.score).toEqual({
      formula: 'accuracy-per-time',
      version: 1,
      value: 225,
      qualified: true,
      statistic: { name: 'mean', value: 4, ci95: null, coverage: null },
    });
    expect(rec.preprocess).toBeNull();
    expect(rec.energyNote).toBe('no sensor');
    expect(rec.protocol.timedRuns).toBe(3);
  });
});
