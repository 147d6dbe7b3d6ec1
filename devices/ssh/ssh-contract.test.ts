import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { MIXED_SPECS, syntheticInputs } from '../../harness/datasets/input-pack/testing/synthetic-inputs.js';
import { runTargetContract, type ContractJob } from '../targets/testing/target.contract.js';
import { buildFixturePackage, copyFixtureSys, writeBoardTrack } from './testing/board-fixtures.js';
import { sshdSkipReason, startLoopbackSshd, type LoopbackSshd } from './testing/loopback-sshd.js';
import { SshTarget } from './ssh-target.js';

const skip = sshdSkipReason();
const PACKAGE = ['python3', '{package}', '-i', '{inputs}', '-o', '{outputs}'];

/** One sshd and one scratch folder for the whole suite, made when the suite first asks for a target. */
let setup: Promise<{ sshd: LoopbackSshd; scratch: string; sys: string; artifact: ContractJob['artifact'] }> | undefined;
function world(): NonNullable<typeof setup> {
  setup ??= (async () => {
    const sshd = await startLoopbackSshd();
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'lpcv-ssh-contract-'));
    return { sshd, scratch, sys: await copyFixtureSys(scratch), artifact: await buildFixturePackage(scratch) };
  })();
  return setup;
}
afterAll(async () => {
  if (!setup) return;
  const w = await setup;
  await w.sshd.stop();
  await rm(w.scratch, { recursive: true, force: true });
});

async function job(name: string, extra: string[], runTimeoutMs?: number): Promise<ContractJob> {
  const w = await world();
  const track = await writeBoardTrack(w.scratch, name, { ...(runTimeoutMs ? { runTimeoutMs } : {}), target: { command: [...PACKAGE, ...extra] } });
  return { track, split: 'test', artifact: w.artifact, inputs: syntheticInputs(MIXED_SPECS) };
}

runTargetContract('SSH board (loopback sshd, fixture hwmon rails)', {
  ...(skip !== undefined ? { skip } : {}),
  makeTarget: async () => {
    const w = await world();
    return SshTarget.fromSpec(
      w.sshd.spec({ kind: 'ultra96-v2', name: 'contract-u96', workdir: path.join(w.scratch, 'board'), power: 'hwmon:ir38060,ina226', hwmon_root: w.sys }),
    );
  },
  goodJob: () => job('contract-good', []),
  failingJob: () => job('contract-fail', ['--mode', 'fail']),
  slowJob: () => job('contract-slow', ['--mode', 'sleep']),
  timeoutMs: 240_000,
});
