/**
 * The desktop solution-package target (docs/solution-packages.md): an LPCVC-style `solution.pyz` or zip run
 * as `python3 <package> -i <input dir> -o <output dir>` inside a bubblewrap sandbox (sandbox.ts), timed by
 * the harness's monotonic clock from the sandbox's start to its exit.
 *
 * The run is one batch, so the Measurement has one latency value, the wall time divided by the images:
 * LPCVC 2023 scored the average time per image of the whole run. Nothing is warmed up or repeated.
 */
import { execa } from 'execa';
import { chmod, chown, copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Measurement } from '../../harness/measure/measurement.js';
import type { ModelFormat, TargetInfo } from '../../harness/result-record.js';
import type { Track } from '../../harness/tracks/track.js';
import type { PowerSampler } from '../power/power-sampler.js';
import { measureWithPower } from '../targets/measure-with-power.js';
import type { Target, TargetJob, TargetRun } from '../targets/target.js';
import { classifySandboxRun, lastLine } from './classify-run.js';
import { readOutputFolder, readSelfReportedMs, writeInputFolderWithSizes } from './package-io.js';
import { runSandboxed, type SandboxRun } from './run-sandboxed.js';
import { sandboxCommand, type SandboxCommand, type SandboxLimits } from './sandbox.js';

const SUPERVISOR = fileURLToPath(new URL('./supervisor.py', import.meta.url));
const MIB = 1024 * 1024;
/** The limits when the track's target.sandbox says nothing (the schema's defaults). */
export const DEFAULT_SANDBOX = { memoryMb: 4096, maxProcesses: 64, tmpMb: 256 } as const;
const PROBE_TIMEOUT_MS = 60_000;

export const ENERGY_NOTE_SOLUTION = 'the desktop has no power sensor that the harness can read (no power sampler configured for this device)';

export interface SolutionTargetOptions {
  /** Device name (default: the host name). */
  readonly name?: string;
  /** Target kind served (default `desktop`). */
  readonly kind?: string;
  /** The interpreter inside the sandbox (default /usr/bin/python3; must be under /usr). */
  readonly python?: string;
  readonly bwrap?: string;
  readonly setpriv?: string;
  /** Host uid:gid the sandbox runs as when the harness is root (default 65534:65534, nobody). */
  readonly sandboxUid?: number;
  readonly sandboxGid?: number;
  /** Where the per-run folders are made (default os.tmpdir()); every folder above it must be traversable. */
  readonly stageRoot?: string;
  /** Brackets exactly the sandbox's run when given; without one energy is null with a note. */
  readonly powerSampler?: PowerSampler;
  /** How often the supervisor polls (ms). */
  readonly pollMs?: number;
  /** Tests: called with bwrap's pid when a run starts. */
  readonly onSpawn?: (pid: number) => void;
}

export class SolutionTarget implements Target {
  readonly name: string;
  readonly kind: string;
  readonly formats: readonly ModelFormat[] = ['zip'];
  private readonly python: string;
  private readonly bwrap: string;
  private readonly setpriv: string;
  private runtime: string | undefined;

  constructor(private readonly opts: SolutionTargetOptions = {}) {
    this.name = opts.name ?? os.hostname();
    this.kind = opts.kind ?? 'desktop';
    this.python = opts.python ?? '/usr/bin/python3';
    this.bwrap = opts.bwrap ?? '/usr/bin/bwrap';
    this.setpriv = opts.setpriv ?? '/usr/bin/setpriv';
    if (!this.python.startsWith('/usr/')) throw new LpcvError('LPCV_E_USAGE', `the sandbox's python must be under /usr (only /usr is bound inside), got ${this.python}`);
  }

  capabilities(): Record<string, unknown> {
    return { driver: 'solution', sandbox: 'bubblewrap', python: this.python, formats: [...this.formats], ...(this.runtime ? { runtime: this.runtime } : {}) };
  }

  /** Runs a one-line script in a real sandbox: bwrap, setpriv, user namespaces and the interpreter all work. */
  async probe(signal?: AbortSignal): Promise<TargetInfo> {
    const stage = await this.makeStage();
    try {
      const script = path.join(stage.root, 'solution.pyz');
      await writeFile(script, 'import sys, os\nopen(os.path.join(sys.argv[sys.argv.index("-o") + 1], "version.txt"), "w").write(sys.version.split()[0])\n', { mode: 0o644 });
      const run = await runSandboxed(this.command(stage, script, limitsOf(undefined)), { timeoutMs: PROBE_TIMEOUT_MS, ...(signal ? { signal } : {}) });
      const failure = classifySandboxRun(run, { timeoutMs: PROBE_TIMEOUT_MS, maxProcesses: DEFAULT_SANDBOX.maxProcesses, memoryMb: DEFAULT_SANDBOX.memoryMb, labelNames: [] });
      if (failure !== undefined) {
        throw new LpcvError('LPCV_E_SANDBOX_UNAVAILABLE', `the sandbox probe failed (${failure.code}): ${failure.message}`, failure.detail);
      }
      const version = (await readSmall(path.join(stage.output, 'version.txt'))).trim();
      const bwrapVersion = (await execa(this.bwrap, ['--version'], { reject: false, stdin: 'ignore' })).stdout?.toString().trim() ?? 'bubblewrap';
      this.runtime = `python3 ${version} (${bwrapVersion} sandbox)`;
      return this.info(this.runtime);
    } finally {
      await rm(stage.root, { recursive: true, force: true });
    }
  }

  async run(job: TargetJob): Promise<TargetRun> {
    if (job.artifact.format !== 'zip') {
      throw new LpcvError('LPCV_E_TARGET_FORMAT', `device ${this.name} runs solution packages (zip), not ${job.artifact.format}`);
    }
    const limits = limitsOf(job.track);
    const runtime = this.runtime ?? (await this.probe(job.signal)).runtime;
    const stage = await this.makeStage();
    try {
      job.onProgress({ phase: 'inputs', fraction: 0, done: 0, total: job.inputs.ids.length });
      const { sizes } = await writeInputFolderWithSizes(job.inputs, stage.input, (done, total) => {
        if (done === total || done % 50 === 0) job.onProgress({ phase: 'inputs', fraction: (0.1 * done) / total, done, total });
      });
      const pkg = path.join(stage.root, 'solution.pyz');
      await copyFile(job.artifact.file, pkg);
      await chmod(pkg, 0o644);
      job.onProgress({ phase: 'running', fraction: 0.1 });
      job.log(`running the solution package in the sandbox: ${job.inputs.ids.length} images, ${job.track.limits.runTimeoutMs} ms limit`);
      const { result: run, energy, power } = await measureWithPower(this.opts.powerSampler, () =>
        runSandboxed(this.command(stage, pkg, limits), {
          timeoutMs: job.track.limits.runTimeoutMs,
          signal: job.signal,
          ...(this.opts.onSpawn ? { onSpawn: this.opts.onSpawn } : {}),
        }),
      );
      const failure = classifySandboxRun(run, {
        timeoutMs: job.track.limits.runTimeoutMs,
        maxProcesses: limits.maxProcesses,
        memoryMb: limits.memoryBytes / MIB,
        labelNames: labelNames(job.track),
      });
      if (failure !== undefined) throw failure;
      job.onProgress({ phase: 'outputs', fraction: 0.95 });
      const predictions = await readOutputFolder(job.track, job.inputs.ids, stage.output, { sizes });
      const self = await readSelfReportedMs(stage.output);
      const images = job.inputs.ids.length;
      const measurement: Measurement = {
        predictions,
        runtime,
        threads: os.availableParallelism(),
        protocol: { warmupRuns: 0, minRuns: 1, minDurationMs: 0, maxRuns: 1 },
        latencyMs: [run.durationMs / images],
        warmupMs: [],
        preprocessMs: [],
        wall: { durationMs: run.durationMs, images, ...(self.ms !== undefined ? { selfReportedMs: self.ms } : {}) },
        targetReport: { sandbox: sandboxReport(run, limits, self.note) },
      };
      job.onProgress({ phase: 'done', fraction: 1 });
      const target = this.info(runtime);
      if (energy === null) return { measurement, target, energy: null, energyNote: ENERGY_NOTE_SOLUTION };
      return { measurement, target, energy, ...(power ? { power } : {}) };
    } finally {
      await rm(stage.root, { recursive: true, force: true });
    }
  }

  private info(runtime: string): TargetInfo {
    const cpus = os.cpus();
    return {
      kind: this.kind,
      device: this.name,
      runtime,
      threads: os.availableParallelism(),
      os: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpu: `${cpus[0]?.model.trim() ?? 'unknown'} (${cpus.length} logical cores)`,
    };
  }

  private dropTo(): { uid: number; gid: number } | undefined {
    if (process.getuid?.() !== 0) return undefined;
    return { uid: this.opts.sandboxUid ?? 65534, gid: this.opts.sandboxGid ?? 65534 };
  }

  private command(stage: Stage, packageFile: string, limits: SandboxLimits): SandboxCommand {
    const drop = this.dropTo();
    return sandboxCommand({
      paths: { inputDir: stage.input, outputDir: stage.output, packageFile, supervisorFile: stage.supervisor },
      limits,
      python: this.python,
      bwrap: this.bwrap,
      ...(drop ? { dropTo: { ...drop, setpriv: this.setpriv } } : {}),
      ...(this.opts.pollMs !== undefined ? { pollMs: this.opts.pollMs } : {}),
    });
  }

  /**
   * A fresh folder for one run: input/ (read-only inside), output/ (the sandbox uid's), a copy of the
   * supervisor. Made under stageRoot rather than the agent's work folder, whose parents are often private
   * (mode 0700) and so closed to the sandbox's unprivileged uid.
   */
  private async makeStage(): Promise<Stage> {
    const rootDir = this.opts.stageRoot ?? os.tmpdir();
    const drop = this.dropTo();
    if (drop !== undefined) await checkTraversable(rootDir);
    const root = await mkdtemp(path.join(rootDir, 'lpcv-solution-'));
    await chmod(root, 0o711);
    const stage: Stage = { root, input: path.join(root, 'input'), output: path.join(root, 'output'), supervisor: path.join(root, 'supervisor.py') };
    await mkdir(stage.input, { mode: 0o755 });
    await mkdir(stage.output, { mode: 0o755 });
    if (drop !== undefined) await chown(stage.output, drop.uid, drop.gid);
    await copyFile(SUPERVISOR, stage.supervisor);
    await chmod(stage.supervisor, 0o644);
    return stage;
  }
}

interface Stage {
  readonly root: string;
  readonly input: string;
  readonly output: string;
  readonly supervisor: string;
}

function limitsOf(track: Track | undefined): SandboxLimits {
  const s = track?.target.sandbox ?? DEFAULT_SANDBOX;
  return { memoryBytes: s.memoryMb * MIB, maxProcesses: s.maxProcesses, tmpBytes: s.tmpMb * MIB };
}

/** The base names of the track's label files and folders (what a package hunting for labels would name). */
function labelNames(track: Track): string[] {
  const d = track.dataset;
  const paths = d.format === 'coco' ? [d.annotations] : d.format === 'segmentation' ? [d.masks] : [d.labels];
  return paths.map((p) => path.basename(p)).filter((n) => n !== '' && n !== '.' && n !== '..');
}

/** Every folder from / down to dir must let others through (x), or the unprivileged sandbox cannot reach its binds. */
async function checkTraversable(dir: string): Promise<void> {
  let at = path.resolve(dir);
  for (;;) {
    const st = await stat(at);
    if ((st.mode & 0o001) === 0) {
      throw new LpcvError('LPCV_E_SANDBOX_UNAVAILABLE', `${at} is not traversable by others (mode ${(st.mode & 0o777).toString(8)}): the sandbox's unprivileged uid cannot reach its folders under ${dir}; choose another stageRoot`);
    }
    const up = path.dirname(at);
    if (up === at) return;
    at = up;
  }
}

async function readSmall(file: string): Promise<string> {
  return (await readFile(file, 'utf8')).slice(0, 200);
}

function sandboxReport(run: SandboxRun, limits: SandboxLimits, selfNote: string | undefined): Record<string, unknown> {
  return {
    tool: 'bubblewrap',
    exitCode: run.report?.exitCode ?? null,
    signal: run.report?.signal ?? null,
    /** The supervisor's own clock around the package's process alone (CLOCK_MONOTONIC, as the harness's). */
    packageMs: (run.report?.packageNs ?? 0) / 1e6,
    peakTasks: run.report?.peakTasks ?? null,
    leftoverTasks: run.report?.leftoverTasks ?? null,
    limits: { memoryBytes: limits.memoryBytes, maxProcesses: limits.maxProcesses, tmpBytes: limits.tmpBytes },
    stdoutBytes: run.stdoutBytes,
    stderrBytes: run.stderrBytes,
    stderrLastLine: lastLine(run.stderrTail),
    ...(selfNote ? { selfReportedNote: selfNote } : {}),
  };
}
