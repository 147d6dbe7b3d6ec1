import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLabels } from '../../harness/datasets/open-split.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { ROOT, lpcv } from '../testing/run-lpcv.js';

interface SplitAccuracy {
  top1: number;
  correct: number;
  correct_top5: number;
  count: number;
}
interface Baseline {
  name: string;
  file: string;
  sha256: string;
  val: SplitAccuracy;
  test: SplitAccuracy;
}

const baselinesDir = path.join(ROOT, 'baselines/fashion-mnist');
const baselines = (JSON.parse(readFileSync(path.join(baselinesDir, 'baselines.json'), 'utf8')) as { models: Baseline[] }).models;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lpcv-score-'));

const RECORD_KEYS = [
  'accuracy',
  'calibratedLatency',
  'energy',
  'energyNote',
  'environment',
  'finishedAt',
  'latency',
  'model',
  'preprocess',
  'profile',
  'protocol',
  'relativeLatency',
  'score',
  'split',
  'startedAt',
  'target',
  'track',
  'validity',
];
const LATENCY_KEYS = ['betweenTrials', 'ci95', 'count', 'max', 'mean', 'min', 'p50', 'p90', 'p90EarlyStopping', 'p95', 'p99', 'std', 'trials', 'unit'];

describe('lpcv score on the baselines', () => {
  it('ships at least five baselines, among them a HarDNet-style and a ResNet-style network', () => {
    expect(baselines.length).toBeGreaterThanOrEqual(5);
    expect(baselines.map((b) => b.name)).toEqual(expect.arrayContaining(['hardnet_s', 'resnet_s']));
  });

  it.each(baselines)('$name: top-1 and top-5 on val equal what PyTorch recorded, in one JSON record', async (b) => {
    // Two trials of exactly 40 timed runs each (--runs is per trial), paired with the track's reference.
    const r = await lpcv([
      'score',
      path.join(baselinesDir, b.file),
      '--track',
      'fashion-mnist',
      '--split',
      'val',
      '--trials',
      '2',
      '--runs',
      '40',
      '--warmup',
      '3',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]!);
    expect(Object.keys(rec).sort()).toEqual(RECORD_KEYS);
    expect(Object.keys(rec.latency).sort()).toEqual(LATENCY_KEYS);
    expect(rec).toMatchObject({ track: 'fashion-mnist', split: 'val', energy: null });
    expect(rec.model).toMatchObject({ sha256: b.sha256, format: 'onnx' });
    expect(rec.target).toMatchObject({ kind: 'desktop', threads: 1 });
    expect(rec.target.runtime).toMatch(/^onnxruntime-node /);
    // The exact counts of correct predictions, as the training script's PyTorch computed them.
    expect(Math.round(rec.accuracy.top1 * 2000)).toBe(b.val.correct);
    expect(Math.round(rec.accuracy.top5 * 2000)).toBe(b.val.correct_top5);
    expect(rec.latency.count).toBe(80);
    expect(rec.latency.trials.map((t: { count: number }) => t.count)).toEqual([40, 40]);
    expect(rec.protocol).toMatchObject({ timedRuns: 80, warmupRuns: 3, accuracyImages: 2000, trials: 2 });
    expect(rec.relativeLatency).toMatchObject({ reference: 'resnet_s', count: 2 });
    expect(rec.relativeLatency.perTrial).toHaveLength(2);
    expect(rec.validity).toMatchObject({ minRunsMet: true, minDurationMet: true, freshProcessTrials: true, referencePaired: true, earlyStoppingMet: true });
    expect(rec.environment.trials).toHaveLength(2);
    expect(rec.latency.min).toBeLessThanOrEqual(rec.latency.p50);
    expect(rec.latency.ci95[0]).toBeLessThanOrEqual(rec.latency.p50);
    expect(rec.latency.ci95[1]).toBeGreaterThanOrEqual(rec.latency.p50);
    expect(rec.score.formula).toBe('accuracy-per-time');
    expect(rec.score.version).toBe(1);
    // The sample track divides by the calibrated latency: relativeLatency x resnet_s's 0.215 ms fixed in the track.
    expect(rec.calibratedLatency).toMatchObject({ referenceLatencyMs: 0.215 });
    expect(rec.calibratedLatency.value).toBeCloseTo(rec.relativeLatency.value * 0.215, 12);
    expect(rec.score.statistic).toMatchObject({ name: 'calibrated', value: rec.calibratedLatency.value });
    expect(rec.score.value).toBeCloseTo(rec.accuracy.top1 / (rec.calibratedLatency.value / 1000), 6);
    // Its interval: the same formula at the two ends of the calibrated latency's between-trial interval.
    const [lo, hi] = rec.calibratedLatency.ci95;
    expect(rec.score.ci95[0]).toBeCloseTo(rec.accuracy.top1 / (hi / 1000), 6);
    expect(rec.score.ci95[1]).toBeCloseTo(rec.accuracy.top1 / (lo / 1000), 6);
  });

  it('scores the hidden test split too (8,000 images) and matches PyTorch there', async () => {
    const b = baselines.find((m) => m.name === 'hardnet_s')!;
    const r = await lpcv(['score', path.join(baselinesDir, b.file), '--track', 'fashion-mnist', '--split', 'test', '--runs', '20', '--json']);
    expect(r.exitCode).toBe(0);
    const rec = JSON.parse(r.stdout);
    expect(rec.protocol.accuracyImages).toBe(8000);
    expect(Math.round(rec.accuracy.top1 * 8000)).toBe(b.test.correct);
    // The labels of a hidden split are here only because the sample track ships them: said once, on stderr.
    expect(r.stderr).toMatch(/^lpcv: note: split test of track fashion-mnist is hidden: a real competition keeps its labels on the server/m);
  });

  it('prints a readable report, writes the record, the raw samples and predictions that lpcv evaluate scores the same', async () => {
    const b = baselines.find((m) => m.name === 'cnn_small') ?? baselines[0]!;
    const out = path.join(tmp, 'result.json');
    const pred = path.join(tmp, 'image.list.result');
    const r = await lpcv(['score', path.join(baselinesDir, b.file), '--track', 'fashion-mnist', '--runs', '25', '--out', out, '--predictions', pred]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^accuracy$/m);
    expect(r.stderr).not.toContain('lpcv: note:');
    expect(r.stdout).toMatch(/top1 +\d+\.\d\d %/);
    expect(r.stdout).toContain('between-trial interval of the p50');
    expect(r.stdout).toMatch(/^energy +not measured: /m);
    expect(r.stdout).toMatch(/^score +[\d,.]+ +\(accuracy-per-time v1\)/m);
    const rec = JSON.parse(readFileSync(out, 'utf8'));
    const raw = JSON.parse(readFileSync(path.join(tmp, 'result.samples.json'), 'utf8'));
    // The track's five trials, exactly 25 timed runs each: the raw samples keep each trial's apart too.
    expect(raw.latencyMs).toHaveLength(125);
    expect(raw.trials.map((t: { latencyMs: number[] }) => t.latencyMs.length)).toEqual([25, 25, 25, 25, 25]);
    expect(r.stdout).toMatch(/^relative  [\d.]+ x resnet_s/m);
    expect(r.stdout).toMatch(/^validity  /m);
    expect(raw.preprocessMs).toHaveLength(2000);
    expect(Math.min(...raw.latencyMs)).toBe(rec.latency.min);

    // Ground truth for lpcv evaluate, from the track's own labels.
    const track = resolveTrack('fashion-mnist');
    const labels = await loadLabels(track, 'val');
    if (labels.task !== 'classification') throw new Error('classification expected');
    const gt = path.join(tmp, 'gt.csv');
    writeFileSync(gt, labels.ids.map((id, i) => `${id},${labels.labels[i]}`).join('\n'));
    expect(readFileSync(pred, 'utf8').split('\n').filter(Boolean)).toHaveLength(2000 * 5);
    const ev = await lpcv(['evaluate', '--task', 'classification', '--gt', gt, '--pred', pred, '--classes', '10', '--json']);
    expect(ev.exitCode).toBe(0);
    const report = JSON.parse(ev.stdout);
    expect(report.accuracy.top1).toBe(rec.accuracy.top1);
    expect(report.accuracy.top5).toBe(rec.accuracy.top5);
  });
});
