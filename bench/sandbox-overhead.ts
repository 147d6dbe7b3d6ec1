/**
 * What the sandbox adds to a package's wall time: the same do-nothing zipapp (fixtures/packages/no_output.py:
 * starts, parses -i/-o, exits) run N times directly with python3 and N times in the sandbox, timed on the
 * monotonic clock from spawn to exit, with the supervisor's own time for the package's process beside it.
 *
 *   node bin/run-ts.js bench/sandbox-overhead.ts [--runs 20]
 */
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { optionInt } from './bench-args.js';
import { buildFixturePackage } from '../devices/solution/testing/build-package.js';
import { monotonicMs, runSandboxed } from '../devices/solution/run-sandboxed.js';
import { sandboxCommand } from '../devices/solution/sandbox.js';
import { makeStage, sandboxUser, stagePackage } from '../devices/solution/stage.js';

const runs = optionInt('runs', 20);
const scratch = await mkdtemp(path.join(os.tmpdir(), 'lpcv-sandbox-bench-'));
const pkg = await buildFixturePackage('no_output', scratch);
const user = sandboxUser();
const stage = await makeStage(os.tmpdir(), user);
await stagePackage(stage, pkg);
const cmd = sandboxCommand({
  paths: { inputDir: stage.input, outputDir: stage.output, packageFile: stage.packageFile, supervisorFile: stage.supervisor },
  limits: { memoryBytes: 4096 * 1024 * 1024, maxProcesses: 64, tmpBytes: 256 * 1024 * 1024, outputBytes: 256 * 1024 * 1024, maxOutputFiles: 100_000 },
  python: '/usr/bin/python3',
  bwrap: '/usr/bin/bwrap',
  ...(user ? { dropTo: { ...user, setpriv: '/usr/bin/setpriv' } } : {}),
});

const direct: number[] = [];
const sandboxed: number[] = [];
const packageOnly: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = monotonicMs();
  await execa('/usr/bin/python3', [pkg, '-i', stage.input, '-o', stage.output], { stdin: 'ignore' });
  direct.push(monotonicMs() - t0);
  const r = await runSandboxed(cmd, { timeoutMs: 60_000 });
  if (r.report?.exitCode !== 0) throw new Error(`sandboxed run failed: ${r.stderrTail}`);
  sandboxed.push(r.durationMs);
  packageOnly.push((r.report?.packageNs ?? 0) / 1e6);
}
await rm(stage.root, { recursive: true, force: true });
await rm(scratch, { recursive: true, force: true });

const q = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const row = (name: string, xs: number[]): string => `| ${name} | ${q(xs, 0.5).toFixed(1)} | ${q(xs, 0.9).toFixed(1)} | ${Math.min(...xs).toFixed(1)} |`;
console.log(
  `${runs} runs each, ${os.cpus().length} cores, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log('| ms, spawn to exit | median | p90 | min |\n|---|---|---|---|');
console.log(row('python3 package directly', direct));
console.log(row('in the sandbox (harness clock: wall.durationMs)', sandboxed));
console.log(row("in the sandbox, the package's process alone (supervisor clock)", packageOnly));
