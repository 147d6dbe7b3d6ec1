import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { openInputs } from '../../harness/datasets/open-split.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { measureOnnx } from './measure-onnx.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../test/fixtures/onnx/${name}`, import.meta.url));
const track = resolveTrack('fashion-mnist');
const protocol = { warmupRuns: 1, minRuns: 5, minDurationMs: 0, maxRuns: 5 };

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
