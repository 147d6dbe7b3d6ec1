import { describe, expect, it } from 'vitest';
import { buildResultRecord, type RecordInputs } from '../../harness/score/build-record.js';
import { sampleTrackScoredByMean } from '../../test/testing/sample-track.js';
import type { Track } from '../../harness/tracks/track.js';
import type { TrialSamples } from '../../harness/trials.js';
import { formatScoreReport } from './score.js';

const sample = sampleTrackScoredByMean();

function trial(latencyMs: number[]): TrialSamples {
  return { latencyMs, warmupMs: [9], referenceLatencyMs: latencyMs.map((x) => x * 2), blockOrder: 'SRRS', timedMs: 100, capped: false };
}

function report(score: Track['score'], trials: TrialSamples[] | null): string {
  const track: Track = { ...sample, score, protocol: { ...sample.protocol, reference: 'linear', referenceLatencyMs: 0.5 } };
  const latencyMs = trials === null ? [1, 2, 3, 3, 3, 3, 3, 4, 6.5] : trials.flatMap((t) => t.latencyMs);
  const inputs: RecordInputs = {
    track,
    split: 'val',
    model: { path: '/m.onnx', sha256: 'ab', bytes: 1, format: 'onnx' },
    target: { kind: 'desktop', device: 'd', runtime: 'r', threads: 1, os: 'o', cpu: 'c' },
    accuracy: { top1: 0.9, top5: 1 },
    latencyMs,
    preprocessMs: [],
    protocol: { warmupRuns: 1, minRuns: 3, minDurationMs: 50, maxRuns: 1000 },
    accuracyImages: 4,
    energy: null,
    ...(trials === null
      ? {}
      : {
          v2: {
            trials,
            reference: { name: 'linear', sha256: 'c'.repeat(64) },
            applied: { freshProcessTrials: true, referencePaired: true, guards: false, scenario: 'single-stream' },
          },
        }),
    startedAt: 's',
    finishedAt: 'f',
  };
  return formatScoreReport(
    {
      record: buildResultRecord(inputs),
      raw: { latencyMs, warmupMs: [], preprocessMs: [], power: [] },
      perClass: [],
      warnings: [],
      writePredictions: async () => {},
      predictions: { kind: 'topk', ids: [], topk: [] },
    },
    'classification',
    false,
  );
}

const scoreLines = (text: string): string[] => {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('score '));
  return lines.slice(at, at + 2);
};

describe("lpcv score's report names the latency statistic the score used, with its interval", () => {
  // Trial medians 2, 4, 3 and means 2, 4.5, 3: the mean is 3 in [2, 4.5], three trials covering 75%.
  const trials = [trial([1, 2, 3]), trial([3, 4, 6.5]), trial([3, 3, 3])];

  it('the mean with its between-trial interval (accuracy-per-time by default)', () => {
    expect(scoreLines(report(sample.score, trials))).toEqual([
      'score     300.0  (accuracy-per-time v1)',
      '          by the mean latency, 3.000 ms, between-trial interval over 3 trials [2.000, 4.500] ms (coverage 75.00 %)',
    ]);
  });

  it('the calibrated latency when the track names it, and the within-run interval of a median without trials', () => {
    // ratios 0.5 in every trial x 0.5 ms = 0.25 ms; 0.9 / 0.25 ms = 3600
    expect(scoreLines(report({ formula: 'accuracy-per-time', version: 1, params: { latency: 'calibrated' } }, trials))[1]).toBe(
      '          by the calibrated latency, 0.2500 ms, between-trial interval over 3 trials [0.2500, 0.2500] ms (coverage 75.00 %)',
    );
    // nine samples: [x(2), x(8)] = [2, 4], coverage 1 - 20/512 = 96.09 %
    expect(scoreLines(report({ formula: 'accuracy-per-time', version: 1, params: { latency: 'p50' } }, null))[1]).toBe(
      '          by the median latency, 3.000 ms, within-run interval [2.000, 4.000] ms (coverage 96.09 %)',
    );
  });

  it('says when the statistic has no interval, and when the score used none', () => {
    expect(scoreLines(report(sample.score, null))[1]).toBe('          by the mean latency, 3.167 ms (no interval: no trials)');
    const none = scoreLines(report({ formula: 'accuracy-per-time', version: 1, params: { latency: 'p90EarlyStopping' } }, trials));
    expect(none[0]).toMatch(/^score +- +\(accuracy-per-time v1, not qualified: no early-stopping p90/);
    expect(none[1]).toMatch(/^ +by no latency statistic/);
  });
});
