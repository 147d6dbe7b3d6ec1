import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openInputs } from '../../harness/datasets/open-split.js';
import type { InputSet } from '../../harness/datasets/types.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';
import { runTargetContract, type ContractJob } from '../targets/target-contract.js';
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
