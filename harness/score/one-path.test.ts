import { describe, expect, it } from 'vitest';
import type { LabelSet } from '../datasets/types.js';
import type { Measurement } from '../measurement.js';
import { sampleTrackScoredByMean } from '../../test/testing/sample-track.js';
import type { Track } from '../tracks/track.js';
import { encodeCompletion, parseCompletion, type CompletedRun } from '../wire/index.js';
import { completionOfRun, scoreCompletion } from './score-completion.js';

const sample = sampleTrackScoredByMean();
const track: Track = { ...sample, protocol: { ...sample.protocol, referenceLatencyMs: 0.3 } };
const TIMES = { startedAt: '2027-01-15T08:00:00.000Z', finishedAt: '2027-01-15T08:00:09.000Z' };
const labels: LabelSet = { task: 'classification', ids: ['a', 'b', 'c', 'd'], labels: [1, 2, 3, 4] };

/** One set of raw samples, as a desktop run with three paired trials and a refused attempt would give them. */
function run(): CompletedRun {
  const snap = { t: 1, loadAvg1: 0.5, cpu: [{ core: 1, busyJiffies: 10, totalJiffies: 100 }], cpufreq: [], thermalC: {} };
  const seen = { before: snap, after: { ...snap, t: 2 }, ownJiffies: 8, verdict: { ok: true, reasons: [] } };
  const series = (base: number) => Array.from({ length: 80 }, (_, i) => base + ((i * 7) % 13) / 100);
  const trials = [0.2, 0.26, 0.21].map((b, i) => ({
    latencyMs: series(b),
    warmupMs: [1, 0.5],
    referenceLatencyMs: series(b * 1.5),
    blockOrder: 'SRRSSRRS',
    timedMs: 420 + i,
    capped: false,
    environment: seen,
    ...(i === 1 ? { refused: [{ ...seen, verdict: { ok: false, reasons: ['core 1 was 60% busy with other processes, limit 10%'] } }] } : {}),
  }));
  const measurement: Measurement = {
    predictions: {
      kind: 'topk',
      ids: labels.ids,
      topk: [
        [1, 0],
        [2, 1],
        [0, 3],
        [4, 2],
      ],
    },
    runtime: 'onnxruntime-node 1.30.0',
    threads: 1,
    protocol: { warmupRuns: 2, minRuns: 80, minDurationMs: 400, maxRuns: 100_000, trials: 3 },
    latencyMs: trials.flatMap((t) => t.latencyMs),
    warmupMs: trials.flatMap((t) => t.warmupMs),
    preprocessMs: [0.01, 0.02, 0.01, 0.03],
    trials,
    reference: { name: 'resnet_s', sha256: 'e'.repeat(64) },
    applied: { freshProcessTrials: true, referencePaired: true, guards: true, scenario: 'single-stream' },
    profile: { runs: 30, totalMs: 0.2, nodes: [{ name: 'conv', op: 'Conv', ms: 0.15, share: 0.75, macs: 56448, cio: 13328 }] },
  };
  return { measurement, target: { kind: 'desktop', device: 'd1', runtime: 'onnxruntime-node 1.30.0', threads: 1, os: 'linux', cpu: 'x' }, energy: null };
}

const model = { path: '/m.onnx', sha256: 'f'.repeat(64), bytes: 100, format: 'onnx' as const };

describe('one measurement path: a run scored locally and through the agent wire', () => {
  it('gives the same record both ways, from the same raw samples', async () => {
    const r = run();
    // lpcv score: the run handed to the scorer directly.
    const local = await scoreCompletion({ track, split: 'val', model, completion: completionOfRun(r, TIMES), labels });
    // An agent: the run encoded, sent as JSON text, decoded by the server, scored by the same function.
    const { completion } = parseCompletion(JSON.parse(JSON.stringify(encodeCompletion(r, TIMES))) as unknown);
    const server = await scoreCompletion({ track, split: 'val', model, completion, labels });
    expect(server).toEqual(local);
    // And the record is protocol v2's: the numbers below are what both sides computed.
    expect(local.latency.trials).toHaveLength(3);
    // The statistic the score used (accuracy-per-time: the mean) with its between-trial interval, computed by both.
    expect(local.score.statistic).toEqual({ name: 'mean', value: local.latency.mean, ci95: local.latency.betweenTrials!.mean.ci95, coverage: 0.75 });
    expect(local.relativeLatency!.count).toBe(3);
    expect(local.calibratedLatency!.referenceLatencyMs).toBe(0.3);
    expect(local.environment!.refusedAttempts).toBe(1);
    expect(local.validity).toMatchObject({ minRunsMet: true, minDurationMet: true, freshProcessTrials: true, referencePaired: true, environmentPassed: true });
    expect(local.energyNote).toBe(server.energyNote);
    expect(local.profile).toEqual(r.measurement.profile);
  });
});
