import { describe, expect, it } from 'vitest';
import type { TrialSamples } from '../trials.js';
import { sampleTrackScoredByMean } from '../../test/testing/sample-track.js';
import type { Track } from '../tracks/track.js';
import { buildResultRecord, type RecordInputs } from './build-record.js';

const sample = sampleTrackScoredByMean();
const track: Track = { ...sample, protocol: { ...sample.protocol, reference: 'linear', referenceLatencyMs: 0.5 } };

function trial(latencyMs: number[], referenceLatencyMs: number[] | undefined, extra: Partial<TrialSamples> = {}): TrialSamples {
  return { latencyMs, warmupMs: [9], ...(referenceLatencyMs ? { referenceLatencyMs, blockOrder: 'SRRS' } : {}), timedMs: 100, capped: false, ...extra };
}

function inputs(trials: TrialSamples[], extra: Partial<RecordInputs> = {}): RecordInputs {
  return {
    track,
    split: 'val',
    model: { path: '/m.onnx', sha256: 'ab', bytes: 1, format: 'onnx' },
    target: { kind: 'desktop', device: 'd', runtime: 'r', threads: 1, os: 'o', cpu: 'c' },
    accuracy: { top1: 0.9, top5: 1 },
    latencyMs: trials.flatMap((t) => t.latencyMs),
    preprocessMs: [],
    protocol: { warmupRuns: 1, minRuns: 3, minDurationMs: 50, maxRuns: 1000, trials: trials.length },
    accuracyImages: 4,
    energy: null,
    v2: {
      trials,
      reference: { name: 'linear', sha256: 'c'.repeat(64) },
      applied: { freshProcessTrials: true, referencePaired: true, guards: false, scenario: 'single-stream' },
    },
    startedAt: 's',
    finishedAt: 'f',
    ...extra,
  };
}

describe('a record from trials (protocol v2)', () => {
  // Trial medians 2, 4 and 3 (a slow trial in the middle); means 2, 4.5 and 3; the reference's medians 4, 8, 5.
  const trials = [trial([1, 2, 3], [4, 4, 4]), trial([3, 4, 6.5], [8, 8, 8]), trial([3, 3, 3], [5, 5, 5])];

  it('reports the median of the trial medians and their between-trial interval, and each trial', () => {
    const r = buildResultRecord(inputs(trials));
    expect(r.latency.p50).toBe(3);
    // Three trials: no pair of order statistics reaches 95%, so [min, max] of the trial medians, coverage 1 - 2^-2.
    expect(r.latency.ci95).toEqual([2, 4]);
    expect(r.latency.betweenTrials!.p50).toEqual({ value: 3, ci95: [2, 4], coverage: 0.75, count: 3 });
    // The mean a formula uses is the median of the trial means: 3, not the pooled mean 28.5 / 9.
    expect(r.latency.mean).toBe(3);
    expect(r.latency.count).toBe(9);
    expect(r.latency.min).toBe(1);
    expect(r.latency.max).toBe(6.5);
    expect(r.latency.trials!.map((t) => [t.count, t.p50])).toEqual([
      [3, 2],
      [3, 4],
      [3, 3],
    ]);
    // accuracy-per-time: 0.9 / (3 ms / 1000)
    expect(r.score.value).toBeCloseTo(300, 9);
    expect(r.protocol.trials).toBe(3);
  });

  it('pairs each trial with the reference: the median ratio, its interval, and the calibrated latency', () => {
    const r = buildResultRecord(inputs(trials));
    // Ratios 2/4 = 0.5, 4/8 = 0.5, 3/5 = 0.6.
    expect(r.relativeLatency).toEqual({ value: 0.5, ci95: [0.5, 0.6], coverage: 0.75, count: 3, reference: 'linear', perTrial: [0.5, 0.5, 0.6] });
    expect(r.calibratedLatency!.value).toBeCloseTo(0.25, 12);
    expect(r.calibratedLatency!.ci95[1]).toBeCloseTo(0.3, 12);
    expect(r.calibratedLatency!.referenceLatencyMs).toBe(0.5);
  });

  it('says which parts of the protocol held', () => {
    const ok = buildResultRecord(inputs(trials)).validity!;
    // Nine timed runs are too few for LoadGen's early-stopping p90 (64 at 0.99 confidence).
    expect(ok).toEqual({
      minRunsMet: true,
      minDurationMet: true,
      cappedByMaxRuns: false,
      earlyStoppingMet: false,
      environmentPassed: null,
      freshProcessTrials: true,
      referencePaired: true,
      valid: false,
    });
    const many = Array.from({ length: 70 }, (_, i) => 1 + (i % 7) / 10);
    const full = buildResultRecord(inputs([trial(many, many), trial(many, many), trial(many, many)]));
    expect(full.validity).toMatchObject({ earlyStoppingMet: true, valid: true });
    expect(full.latency.p90EarlyStopping).not.toBeNull();
    const capped = buildResultRecord(inputs([trial(many, many, { capped: true, timedMs: 20 }), trial(many, many), trial(many, many)])).validity!;
    expect(capped).toMatchObject({ minDurationMet: false, cappedByMaxRuns: true, valid: false });
    const unpaired = buildResultRecord(
      inputs([trial(many, undefined), trial(many, undefined)], { v2: { trials: [trial(many, undefined), trial(many, undefined)] } }),
    );
    expect(unpaired.relativeLatency).toBeUndefined();
    expect(unpaired.validity).toMatchObject({ referencePaired: false, freshProcessTrials: false, valid: false });
  });

  it('keeps what the environment guards saw, and fails validity when a trial broke them', () => {
    const snap = { t: 0, loadAvg1: 0.1, cpu: [], cpufreq: [], thermalC: {} };
    const seen = { before: snap, after: snap, ownJiffies: 5, verdict: { ok: true, reasons: [] } };
    const refused = { ...seen, verdict: { ok: false, reasons: ['core 1 was 60% busy with other processes, limit 10%'] } };
    const r = buildResultRecord(
      inputs([trial([1, 2, 3], [2, 2, 2], { environment: seen, refused: [refused] }), trial([1, 2, 3], [2, 2, 2], { environment: seen })]),
    );
    expect(r.environment).toEqual({ trials: [seen, seen], refusedAttempts: 1 });
    expect(r.validity!.environmentPassed).toBe(true);
    const broke = buildResultRecord(inputs([trial([1, 2, 3], [2, 2, 2], { environment: refused })]));
    expect(broke.validity!.environmentPassed).toBe(false);
  });

  it('a record without trials (before protocol v2) keeps the pooled statistics and has no validity', () => {
    const r = buildResultRecord({ ...inputs(trials), v2: undefined });
    expect(r.latency.p50).toBe(3);
    expect(r.latency.mean).toBeCloseTo(28.5 / 9, 12);
    expect(r.latency.trials).toBeUndefined();
    expect(r.validity).toBeUndefined();
    expect(r.relativeLatency).toBeUndefined();
  });

  it('the Offline scenario reports images per second across trials, which the formula takes as fps', () => {
    const r = buildResultRecord(
      inputs(trials, {
        v2: {
          trials,
          offline: [
            { images: 300, wallMs: 100 },
            { images: 200, wallMs: 100 },
            { images: 250, wallMs: 100 },
          ],
        },
      }),
    );
    expect(r.throughput).toMatchObject({ value: 2500, ci95: [2000, 3000], count: 3 });
  });

  describe("the score names the latency statistic it used, with the record's interval for it", () => {
    const scored = (score: Track['score'], extra: Partial<RecordInputs> = {}) =>
      buildResultRecord(inputs(trials, { track: { ...track, score }, ...extra })).score;

    it('the mean (accuracy-per-time by default): the median of the trial means, between the trials', () => {
      // Trial means 2, 4.5 and 3: median 3; three trials give [min, max] = [2, 4.5], coverage 1 - 2^-2.
      expect(buildResultRecord(inputs(trials)).score.statistic).toEqual({ name: 'mean', value: 3, ci95: [2, 4.5], coverage: 0.75 });
    });

    it('the median, the p90, the p95, and the calibrated latency, each with its between-trial interval', () => {
      const apt = (latency: string) => ({ formula: 'accuracy-per-time', version: 1, params: { latency } });
      expect(scored(apt('p50')).statistic).toEqual({ name: 'p50', value: 3, ci95: [2, 4], coverage: 0.75 });
      // Trial p90s (numpy's linear method): [1, 2, 3] -> 2.8, [3, 4, 6.5] -> 6, [3, 3, 3] -> 3.
      const p90 = scored(apt('p90')).statistic!;
      expect(p90.value).toBe(3);
      expect(p90.ci95![0]).toBeCloseTo(2.8, 12);
      expect(p90.ci95![1]).toBeCloseTo(6, 12);
      // Trial p95s 2.9, 6.25 and 3, summarised the same way.
      const p95 = scored({ formula: 'lpcv2025', version: 1, params: { cutoffMs: 10, latencyStat: 'p95' } }).statistic!;
      expect(p95.value).toBe(3);
      expect(p95.ci95![0]).toBeCloseTo(2.9, 12);
      expect(p95.ci95![1]).toBeCloseTo(6.25, 12);
      // Ratios 0.5, 0.5, 0.6 x the track's 0.5 ms: 0.25 ms in [0.25, 0.3]; the score 0.9 / 0.25 ms = 3600 per second.
      const calibrated = scored(apt('calibrated'));
      expect(calibrated.value).toBeCloseTo(3600, 9);
      expect(calibrated.statistic).toMatchObject({ name: 'calibrated', coverage: 0.75 });
      expect(calibrated.statistic!.value).toBeCloseTo(0.25, 12);
      expect(calibrated.statistic!.ci95![1]).toBeCloseTo(0.3, 12);
    });

    it('no score and no statistic when the record lacks the one the formula names', () => {
      // Nine timed runs: too few for LoadGen's early-stopping p90.
      const es = scored({ formula: 'accuracy-per-time', version: 1, params: { latency: 'p90EarlyStopping' } });
      expect(es).toMatchObject({ value: null, qualified: false, statistic: null });
      expect(es.reason).toMatch(/too few timed runs/);
      // A track without a fixed reference latency has no calibrated latency.
      const noFixed: Track = {
        ...track,
        protocol: { ...track.protocol, referenceLatencyMs: undefined },
        score: { formula: 'accuracy-per-time', version: 1, params: { latency: 'calibrated' } },
      };
      const cal = buildResultRecord(inputs(trials, { track: noFixed }));
      expect(cal.calibratedLatency).toBeUndefined();
      expect(cal.score).toMatchObject({ value: null, qualified: false, statistic: null });
      expect(cal.score.reason).toMatch(/protocol\.referenceLatencyMs/);
    });

    it("LoadGen's early-stopping p90 has no interval: it is itself a confidence bound", () => {
      const many = Array.from({ length: 70 }, (_, i) => 1 + (i % 7) / 10);
      const r = buildResultRecord(
        inputs([trial(many, many), trial(many, many), trial(many, many)], {
          track: { ...track, score: { formula: 'accuracy-per-time', version: 1, params: { latency: 'p90EarlyStopping' } } },
        }),
      );
      expect(r.score.statistic).toEqual({ name: 'p90EarlyStopping', value: r.latency.p90EarlyStopping, ci95: null, coverage: null });
      expect(r.score.value).toBeCloseTo(0.9 / (r.latency.p90EarlyStopping! / 1000), 9);
    });

    it('without trials: the within-run interval of the p50, and no interval for the mean', () => {
      // The pooled samples 1, 2, 3, 3, 3, 3, 3, 4, 6.5: median 3; nine samples give [x(2), x(8)] = [2, 4],
      // coverage 1 - 2 x 10/512.
      const p50 = scored({ formula: 'accuracy-per-time', version: 1, params: { latency: 'p50' } }, { v2: undefined });
      expect(p50.statistic).toEqual({ name: 'p50', value: 3, ci95: [2, 4], coverage: 1 - 20 / 512 });
      const mean = buildResultRecord({ ...inputs(trials), v2: undefined }).score.statistic!;
      expect(mean).toMatchObject({ name: 'mean', ci95: null, coverage: null });
      expect(mean.value).toBeCloseTo(28.5 / 9, 12);
    });
  });
});
