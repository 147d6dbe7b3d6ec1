import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { openInputs } from '../../harness/datasets/open-split.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';
import { runTargetContract, type ContractJob } from '../targets/testing/target.contract.js';
import { AihubTarget } from './aihub-target.js';
import { markedModel, standinEnv } from './testing/standin.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'lpcv-aihub-contract-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const tinyConv = fileURLToPath(new URL('../../test/fixtures/onnx/tiny-conv.onnx', import.meta.url));
const base = resolveTrack('fashion-mnist');
const track: Track = { ...base, protocol: { ...base.protocol, trials: 2 }, target: { kind: 'aihub' } };

async function job(marker: string): Promise<ContractJob> {
  const file = await markedModel(tinyConv, path.join(scratch, 'models', marker), marker);
  const all = await openInputs(track, 'val');
  return {
    track,
    split: 'val',
    artifact: { file, sha256: '0'.repeat(64), bytes: statSync(file).size, format: 'onnx' },
    inputs: { ids: all.ids.slice(0, 12), read: (i) => all.read(i) },
  };
}

runTargetContract('Qualcomm AI Hub (stand-in qai_hub)', {
  makeTarget: async () =>
    new AihubTarget({
      spec: 'aihub://contract-s24?device=Samsung%20Galaxy%20S24%20(Family)&runtime=tflite&iterations=7&python=/usr/bin/python3&poll_ms=1',
      env: standinEnv(path.join(scratch, 'hub')),
    }),
  goodJob: () => job('good'),
  failingJob: () => job('fail-profile'),
  slowJob: () => job('slow-queue'),
  timeoutMs: 30_000,
});
