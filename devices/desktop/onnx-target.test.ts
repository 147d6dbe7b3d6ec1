import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openInputs } from '../../harness/datasets/open-split.js';
import type { InputSet } from '../../harness/datasets/types.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';
import { describe, expect, it } from 'vitest';
import { openHwmonSampler } from '../power/hwmon.js';
import { fixtureTree } from '../power/testing/sysfs-fixtures.js';
import { runTargetContract, type ContractJob } from '../targets/testing/target.contract.js';
import { OnnxTarget } from './onnx-target.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../test/fixtures/onnx/${name}`, import.meta.url));
const base = resolveTrack('fashion-mnist');
const track: Track = { ...base, protocol: { ...base.protocol, warmupRuns: 2, minRuns: 10, minDurationMs: 0, maxRuns: 10 } };

/** The first `n` inputs of a split. */
function firstInputs(all: InputSet, n: number): InputSet {
  return { ids: all.ids.slice(0, n), read: (i) => all.read(i) };
}

async function job(model: string): Promise<ContractJob> {
  const file = fixture(model);
  return {
    track,
    split: 'val',
    artifact: { file, sha256: '0'.repeat(64), bytes: statSync(file).size, format: 'onnx' },
    inputs: firstInputs(await openInputs(track, 'val'), 24),
  };
}

runTargetContract('desktop ONNX', {
  makeTarget: async () => new OnnxTarget({ name: 'contract-desktop' }),
  goodJob: () => job('tiny-conv.onnx'),
  failingJob: () => job('nan-output.onnx'),
  slowJob: () => job('hang.onnx'),
});

describe('the desktop ONNX target with a power sampler', () => {
  it('integrates a fixture rail over exactly the run: constant 4.2 W gives 4.2 W x the window, with the idle figure of the track beside it', async () => {
    // A board-like hwmon tree: one INA226 reading 4.2 W (power1_input in microwatts), read every 50 ms.
    const tree = await fixtureTree({ 'class/hwmon/hwmon0/name': 'ina226', 'class/hwmon/hwmon0/power1_input': 4_200_000 });
    try {
      const sampler = await openHwmonSampler({ root: tree.root, select: 'ina226' });
      const target = new OnnxTarget({ name: 'powered-desktop', power: sampler });
      const j = await job('tiny-conv.onnx');
      const run = await target.run({
        jobId: 1,
        track: { ...j.track, power: { idle: { watts: 1.961 } } },
        split: j.split,
        artifact: j.artifact,
        inputs: j.inputs,
        signal: new AbortController().signal,
        log: () => {},
        onProgress: () => {},
        workDir: tree.root,
      });
      expect(run.energy).not.toBeNull();
      const e = run.energy!;
      expect(e.source).toBe('hwmon:ina226/power1');
      expect(e.windowSeconds).toBeGreaterThan(0);
      expect(e.joules).toBeCloseTo(4.2 * e.windowSeconds!, 9);
      expect(e.avgWatts).toBeCloseTo(4.2, 9);
      expect(e.idle).toEqual({ watts: 1.961, source: 'track' });
      expect(e.sampleCount).toBeGreaterThanOrEqual(2);
      expect(run.power!.length).toBeGreaterThanOrEqual(e.sampleCount);
      expect(run.energyNote).toBeUndefined();
    } finally {
      await tree.close();
    }
  });
});
