import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { OnnxTarget } from '../../devices/desktop/onnx-target.js';
import { loadLabels, openInputs } from '../../harness/datasets/open-split.js';
import { BUILTIN_TRACKS_DIR, loadTrackFile } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';
import { encodeCompletion, parseAgentTrack, parseCompletion, trackForAgents } from '../../harness/wire/index.js';
import { scoreCompletion } from '../../harness/score/score-completion.js';

/**
 * The server path of robustness splits: the agent's desktop target runs the corrupted splits of the leased
 * track (inputs only), the completion carries their predictions, and the server scores them with the
 * hidden labels of the clean split.
 */
const dataDir = path.join(BUILTIN_TRACKS_DIR, 'fashion-mnist');
const sample = JSON.parse(readFileSync(path.join(dataDir, 'track.json'), 'utf8')) as Record<string, unknown>;
const COUNT = 60;

function serverTrack(): Track {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lpcv-robust-server-'));
  const ds = sample.dataset as { images: string; labels: string };
  const { baselines: _b, ...rest } = sample;
  const file = path.join(dir, 'track.json');
  writeFileSync(
    file,
    JSON.stringify({
      ...rest,
      dataset: { format: 'idx', images: path.join(dataDir, ds.images), labels: path.join(dataDir, ds.labels) },
      splits: { hidden: { start: 5000, count: COUNT, visibility: 'hidden' } },
      defaultSplit: 'hidden',
      protocol: { warmupRuns: 1, minRuns: 5, minDurationMs: 0, maxRuns: 5, threads: 1 },
      robustness: {
        of: 'hidden',
        seed: 11,
        profile: 'cifar-10-c',
        corruptions: [
          { kind: 'gaussian-noise', severities: [5] },
          { kind: 'contrast', severities: [5] },
        ],
        adversarial: [{ name: 'adv', images: 'adv-images' }],
      },
    }),
  );
  return loadTrackFile(file);
}

const model = path.join(BUILTIN_TRACKS_DIR, '../baselines/fashion-mnist/cnn_small.onnx');
const modelRef = { path: 'cnn_small.onnx', sha256: '0'.repeat(64), bytes: statSync(model).size, format: 'onnx' as const };

describe('robustness splits on the server path', () => {
  it('an agent runs the corrupted splits of the leased track, and the server scores them with the hidden labels', async () => {
    const track = serverTrack();
    // What the lease carries: the track without its data set (trackForAgents), checked by the agent.
    const cache = mkdtempSync(path.join(os.tmpdir(), 'lpcv-robust-agent-'));
    const agentTrack = parseAgentTrack(JSON.parse(JSON.stringify(trackForAgents(track))));
    const run = await new OnnxTarget({ name: 'robust-desktop' }).run({
      jobId: 1,
      track: agentTrack,
      split: 'hidden',
      artifact: { file: model, ...modelRef },
      inputs: await openInputs(track, 'hidden'),
      signal: new AbortController().signal,
      log: () => undefined,
      onProgress: () => undefined,
      workDir: cache,
    });
    expect(Object.keys(run.measurement.robustness ?? {})).toEqual(['hidden~gaussian-noise-5', 'hidden~contrast-5']);
    expect(run.measurement.robustnessSkipped).toEqual({ 'hidden~adv': expect.stringMatching(/the server sent no inputs for this adversarial set/) });

    const body = JSON.parse(JSON.stringify(encodeCompletion(run, { startedAt: new Date().toISOString(), finishedAt: new Date().toISOString() }))) as unknown;
    const { completion } = parseCompletion(body);
    const labels = await loadLabels(track, 'hidden');
    const record = await scoreCompletion({ track, split: 'hidden', model: modelRef, completion, labels });

    // Recount by hand from the predictions and the hidden labels.
    const top1Of = (topk: number[][]): number => topk.filter((t, i) => t[0] === (labels.task === 'classification' ? labels.labels[i] : -1)).length / COUNT;
    const rob = completion.measurement.robustness!;
    const noise = rob['hidden~gaussian-noise-5']!;
    const low = rob['hidden~contrast-5']!;
    if (noise.kind !== 'topk' || low.kind !== 'topk' || completion.measurement.predictions.kind !== 'topk') throw new Error('expected top-k');
    expect(record.robustness).toEqual({
      metric: 'top1',
      splits: {
        'hidden~gaussian-noise-5': { top1: top1Of(noise.topk), top5: expect.any(Number) },
        'hidden~contrast-5': { top1: top1Of(low.topk), top5: expect.any(Number) },
      },
      robustAccuracy: (top1Of(noise.topk) + top1Of(low.topk)) / 2,
      adversarial: {},
      notMeasured: { 'hidden~adv': expect.stringMatching(/the server sent no inputs for this adversarial set/) },
    });
    expect(record.accuracy.top1).toBe(top1Of(completion.measurement.predictions.topk));
    expect(record.robustness!.robustAccuracy).toBeLessThan(record.accuracy.top1!);
    // Latency is the clean split's alone.
    expect(record.latency.count).toBe(5);
  }, 120_000);

  it('scores hand-made predictions: undeclared splits ignored, a missing one makes robustAccuracy null, bad ones refused', async () => {
    const track = serverTrack();
    const labels = await loadLabels(track, 'hidden');
    if (labels.task !== 'classification') throw new Error('expected classification labels');
    const right = labels.labels.map((l) => [l]);
    const wrong = labels.labels.map((l) => [(l + 1) % 10]);
    const topk = (t: number[][]) => ({ kind: 'topk', ids: labels.ids, topk: t });
    const body = (robustness: Record<string, unknown>, skipped?: Record<string, string>) => ({
      measurement: {
        predictions: topk(right),
        runtime: 'r 1',
        threads: 1,
        protocol: { warmupRuns: 0, minRuns: 1, minDurationMs: 0, maxRuns: 1 },
        latencyMs: [2],
        warmupMs: [],
        preprocessMs: [],
        robustness,
        ...(skipped ? { robustnessSkipped: skipped } : {}),
      },
      target: { kind: 'desktop', device: 'd', runtime: 'r 1', threads: 1, os: 'linux', cpu: 'c' },
      energy: null,
      startedAt: '2027-01-15T08:00:00.000Z',
      finishedAt: '2027-01-15T08:00:01.000Z',
    });
    const score = async (b: unknown) => scoreCompletion({ track, split: 'hidden', model: modelRef, completion: parseCompletion(b).completion, labels });

    const full = await score(
      body({ 'hidden~gaussian-noise-5': topk(right), 'hidden~contrast-5': topk(wrong), 'hidden~adv': topk(wrong), 'hidden~fog-1': topk(right) }),
    );
    expect(full.robustness).toEqual({
      metric: 'top1',
      splits: { 'hidden~gaussian-noise-5': { top1: 1, top5: 1 }, 'hidden~contrast-5': { top1: 0, top5: 0 } },
      robustAccuracy: 0.5,
      adversarial: { 'hidden~adv': { top1: 0, top5: 0 } },
    });

    const partial = await score(body({ 'hidden~gaussian-noise-5': topk(right) }, { 'hidden~contrast-5': 'the device skipped it' }));
    expect(partial.robustness?.robustAccuracy).toBeNull();
    expect(partial.robustness?.notMeasured).toEqual({ 'hidden~contrast-5': 'the device skipped it', 'hidden~adv': 'the run did not measure it' });

    const shuffled = { kind: 'topk', ids: [...labels.ids].reverse(), topk: right };
    expect((await rejectionOf(score(body({ 'hidden~contrast-5': shuffled })))).code).toBe('LPCV_E_PRED_MISMATCH');
    expect((await rejectionOf(score(body({ 'contrast 5': topk(right) })))).message).toMatch(/measurement\.robustness/);
    expect((await rejectionOf(score(body({ 'hidden~contrast-5': { kind: 'topk', ids: labels.ids, topk: [[1]] } })))).message).toMatch(
      /measurement\.robustness\.hidden~contrast-5\.topk: 1 entries for 60 ids/,
    );
  });
});
