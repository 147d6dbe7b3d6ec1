import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { openInputs } from '../../harness/datasets/open-split.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { measureOnnx, type GuardTrial } from './measure-onnx.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../test/fixtures/onnx/${name}`, import.meta.url));
const baseline = (name: string): string => fileURLToPath(new URL(`../../baselines/fashion-mnist/${name}.onnx`, import.meta.url));
const track = resolveTrack('fashion-mnist');
const protocol = { warmupRuns: 1, minRuns: 5, minDurationMs: 0, maxRuns: 5, trials: 1 };

describe('measureOnnx', () => {
  it('measures with inputs only: top-5 per image and exactly the asked timed runs', async () => {
    const inputs = await openInputs(track, 'val');
    const m = await measureOnnx({ modelPath: fixture('tiny-conv.onnx'), inputName: 'input', track, inputs, threads: 1, protocol, timeoutMs: 60_000 });
    if (m.predictions.kind !== 'topk') throw new Error('top-k expected');
    expect(m.predictions.topk).toHaveLength(2000);
    expect(m.predictions.ids[0]).toBe('00000');
    expect(m.latencyMs).toHaveLength(5);
    expect(m.warmupMs).toHaveLength(1);
    expect(m.preprocessMs).toHaveLength(2000);
    expect(m.trials).toHaveLength(1);
    expect(m.applied).toEqual({ freshProcessTrials: true, referencePaired: false, guards: false, scenario: 'single-stream' });
  });

  it('runs each trial in a fresh inference process, guarded, and pairs the reference in blocks S R R S', async () => {
    const inputs = await openInputs(track, 'val');
    const pids: number[] = [];
    const seen: number[] = [];
    // A guard that records which trial it ran and the run's own CPU time, and reads nothing.
    const guardTrial: GuardTrial = async (attempt, trial) => {
      seen.push(trial);
      const { result, ownJiffies } = await attempt();
      pids.push(ownJiffies ?? -1);
      return { result };
    };
    const m = await measureOnnx({
      modelPath: baseline('cnn_small'),
      inputName: 'input',
      outputName: 'logits',
      track: { ...track, protocol: { ...track.protocol, blockMs: 5 } },
      inputs,
      threads: 1,
      protocol: { warmupRuns: 2, minRuns: 40, minDurationMs: 30, maxRuns: 100_000, trials: 3 },
      reference: { name: 'linear', sha256: 'b'.repeat(64), modelPath: baseline('linear'), inputName: 'input', outputName: 'logits' },
      guardTrial,
      timeoutMs: 120_000,
    });
    expect(seen).toEqual([0, 1, 2]);
    // Each trial's process worked: its own CPU time was counted (in jiffies, so at least 1 for a Node start).
    for (const j of pids) expect(j).toBeGreaterThan(0);
    expect(m.trials).toHaveLength(3);
    for (const t of m.trials!) {
      expect(t.latencyMs.length).toBeGreaterThanOrEqual(40);
      expect(t.timedMs).toBeGreaterThanOrEqual(30);
      expect(t.capped).toBe(false);
      expect(t.warmupMs).toHaveLength(2);
      expect(t.referenceLatencyMs!.length).toBeGreaterThan(0);
      // Whole groups of four, each model first as often as second.
      expect(t.blockOrder).toMatch(/^(SRRS)+$/);
    }
    expect(m.latencyMs).toEqual(m.trials!.flatMap((t) => t.latencyMs));
    expect(m.reference).toEqual({ name: 'linear', sha256: 'b'.repeat(64) });
    expect(m.applied).toMatchObject({ freshProcessTrials: true, referencePaired: true, guards: true });
  });

  it("the Offline scenario streams the pool for the minimum duration and reports each trial's images over its wall time", async () => {
    const inputs = await openInputs(track, 'val');
    const m = await measureOnnx({
      modelPath: baseline('linear'),
      inputName: 'input',
      outputName: 'logits',
      track: { ...track, protocol: { ...track.protocol, scenario: 'offline' } },
      inputs,
      threads: 1,
      protocol: { warmupRuns: 1, minRuns: 10, minDurationMs: 50, maxRuns: 100_000, trials: 2 },
      profileRuns: 0,
      timeoutMs: 60_000,
    });
    expect(m.applied?.scenario).toBe('offline');
    expect(m.offline).toHaveLength(2);
    m.offline!.forEach((o, i) => {
      expect(o.images).toBe(m.trials![i]!.latencyMs.length);
      expect(o.wallMs).toBe(m.trials![i]!.timedMs);
      expect(o.wallMs).toBeGreaterThanOrEqual(50);
    });
    expect(m.profile).toBeUndefined();
  });

  it('says when maxRuns cut a trial short of its minimum duration', async () => {
    const inputs = await openInputs(track, 'val');
    const m = await measureOnnx({
      modelPath: fixture('tiny-conv.onnx'),
      inputName: 'input',
      track,
      inputs,
      threads: 1,
      protocol: { warmupRuns: 0, minRuns: 3, minDurationMs: 60_000, maxRuns: 3, trials: 1 },
      timeoutMs: 60_000,
    });
    expect(m.trials![0]).toMatchObject({ capped: true });
    expect(m.trials![0]!.latencyMs).toHaveLength(3);
  });

  it('kills the inference process when the run is cancelled', async () => {
    const inputs = await openInputs(track, 'val');
    const cancel = new AbortController();
    const run = measureOnnx({
      modelPath: fixture('hang.onnx'),
      inputName: 'input',
      track,
      inputs,
      threads: 1,
      protocol,
      timeoutMs: 600_000,
      signal: cancel.signal,
    });
    setTimeout(() => cancel.abort(), 1500);
    const t0 = Date.now();
    const e = await rejectionOf(run);
    expect(e.code).toBe('LPCV_E_RUN_CANCELLED');
    // Far below the 600 s time limit: the abort, not the limit, ended it.
    expect(Date.now() - t0).toBeLessThan(60_000);
  });
});
