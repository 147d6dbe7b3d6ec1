/**
 * The desktop solution-package target (docs/solution-packages.md): an LPCVC-style `solution.pyz` or zip run
 * as `python3 <package> -i <input dir> -o <output dir>` inside a bubblewrap sandbox (sandbox.ts), timed by
 * the harness's monotonic clock from the sandbox's start to its exit.
 *
 * The run is one batch, so the Measurement has one latency value, the wall time divided by the images:
 * LPCVC 2023 scored the average time per image of the whole run. Nothing is warmed up or repeated.
 */
import { execa } from 'execa';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Measurement } from '../../harness/measurement.js';
import type { TargetInfo } from '../../harness/result-record.js';
import type { ModelFormat } from '../../submissions/model-format.js';
import type { DatasetSpec } from '../../harness/tracks/track-schema.js';
import type { AgentTrack } from '../../harness/wire/index.js';
import type { PowerSampler } from '../power/power-sampler.js';
import { measureWithPower } from '../targets/measure-with-power.js';
import type { ProtocolCapabilities, Target, TargetJob, TargetRun } from '../targets/target.js';
import { withRunLogs } from '../targets/run-logs.js';
import { classifySandboxRun, lastLine } from './classify-run.js';
import { readOutputFolder, readSelfReportedMs, writeInputFolderWithSizes } from './package-io.js';
import { runSandboxed, type SandboxRun } from './run-sandboxed.js';
import type { SandboxInit } from './sandbox-init.js';
import { sandboxCommand, type SandboxCommand, type SandboxLimits } from './sandbox.js';
import { makeStage, sandboxUser, stagePackage, type Stage } from './stage.js';

const MIB = 1024 * 1024;
/** The limits when the track's target.sandbox says nothing (the schema's defaults). */
export const DEFAULT_SANDBOX = { memoryMb: 4096, maxProcesses: 256, tmpMb: 256, outputMb: 256, maxOutputFiles: 100_000 } as const;
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
  /** Tests: the sandbox's pid 1, once bwrap has named it (run-sandboxed.ts). */
  readonly onSandboxInit?: (init: SandboxInit | null) => void;
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
    if (!this.python.startsWith('/usr/'))
      throw new LpcvError('LPCV_E_USAGE', `the sandbox's python must be under /usr (only /usr is bound inside), got ${this.python}`);
  }

  capabilities(): Record<string, unknown> {
    // A package runs once over the whole batch in its own process: no trials, no reference beside it.
    const protocol: ProtocolCapabilities = { freshProcessTrials: false, referencePairing: false, environment: 'none' };
    return {
      driver: 'solution',
      sandbox: 'bubblewrap',
      python: this.python,
      formats: [...this.formats],
      ...(this.runtime ? { runtime: this.runtime } : {}),
      protocol,
    };
  }

  /** Runs a one-line script in a real sandbox: bwrap, setpriv, user namespaces and the interpreter all work. */
  async probe(signal?: AbortSignal): Promise<TargetInfo> {
    const stage = await this.makeStage();
    try {
      const script = stage.packageFile;
      await writeFile(script, 'import sys, os\nopen(os.path.join(sys.argv[sys.argv.index("-o") + 1], "version.txt"), "w").write(sys.version.split()[0])\n', {
        mode: 0o644,
      });
      const run = await runSandboxed(this.command(stage, limitsOf(undefined)), { timeoutMs: PROBE_TIMEOUT_MS, ...(signal ? { signal } : {}) });
      const failure = classifySandboxRun(run, {
        timeoutMs: PROBE_TIMEOUT_MS,
        maxProcesses: DEFAULT_SANDBOX.maxProcesses,
        memoryMb: DEFAULT_SANDBOX.memoryMb,
        outputBytes: DEFAULT_SANDBOX.outputMb * MIB,
        maxOutputFiles: DEFAULT_SANDBOX.maxOutputFiles,
        labelNames: [],
      });
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
      await stagePackage(stage, job.artifact.file);
      job.onProgress({ phase: 'running', fraction: 0.1 });
      job.log(`running the solution package in the sandbox: ${job.inputs.ids.length} images, ${job.track.limits.runTimeoutMs} ms limit`);
      const {
        result: run,
        energy,
        power,
      } = await measureWithPower(this.opts.powerSampler, () =>
        runSandboxed(this.command(stage, limits), {
          timeoutMs: job.track.limits.runTimeoutMs,
          signal: job.signal,
          ...(this.opts.onSpawn ? { onSpawn: this.opts.onSpawn } : {}),
          ...(this.opts.onSandboxInit ? { onSandboxInit: this.opts.onSandboxInit } : {}),
        }),
      );
      // Whatever ends the run from here on (its failure, outputs that do not fit), the team sees its output.
      try {
        const failure = classifySandboxRun(run, {
          timeoutMs: job.track.limits.runTimeoutMs,
          maxProcesses: limits.maxProcesses,
          memoryMb: limits.memoryBytes / MIB,
          outputBytes: limits.outputBytes,
          maxOutputFiles: limits.maxOutputFiles,
          labelNames: labelNames(job.track),
        });
        job.log(
          `the sandbox ran ${run.durationMs.toFixed(0)} ms (the package's process ${((run.report?.packageNs ?? 0) / 1e6).toFixed(0)} ms), ` +
            `${failure ? failure.code : 'exit 0'}${run.stderrTail ? `; last stderr line: ${lastLine(run.stderrTail)}` : ''}`,
        );
        if (failure !== undefined) throw failure;
        job.onProgress({ phase: 'outputs', fraction: 0.95 });
        const predictions = await readOutputFolder(job.track, job.inputs.ids, stage.output, { sizes, maxFiles: limits.maxOutputFiles });
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
          applied: { freshProcessTrials: false, referencePaired: false, guards: false, scenario: 'single-stream' },
        };
        job.onProgress({ phase: 'done', fraction: 1 });
        const done = { measurement, target: this.info(runtime), ...(run.logs ? { logs: run.logs } : {}) };
        if (energy === null) return { ...done, energy: null, energyNote: ENERGY_NOTE_SOLUTION };
        return { ...done, energy, ...(power ? { power } : {}) };
      } catch (e) {
        throw e instanceof LpcvError && run.logs ? withRunLogs(e, run.logs) : e;
      }
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
    return sandboxUser(this.opts.sandboxUid, this.opts.sandboxGid);
  }

  private makeStage(): Promise<Stage> {
    return makeStage(this.opts.stageRoot ?? os.tmpdir(), this.dropTo());
  }

  private command(stage: Stage, limits: SandboxLimits): SandboxCommand {
    const drop = this.dropTo();
    return sandboxCommand({
      paths: { inputDir: stage.input, outputDir: stage.output, packageFile: stage.packageFile, supervisorFile: stage.supervisor },
      limits,
      python: this.python,
      bwrap: this.bwrap,
      ...(drop ? { dropTo: { ...drop, setpriv: this.setpriv } } : {}),
      ...(this.opts.pollMs !== undefined ? { pollMs: this.opts.pollMs } : {}),
    });
  }
}

function limitsOf(track: AgentTrack | undefined): SandboxLimits {
  const s = track?.target.sandbox ?? DEFAULT_SANDBOX;
  return {
    memoryBytes: s.memoryMb * MIB,
    maxProcesses: s.maxProcesses,
    tmpBytes: s.tmpMb * MIB,
    // A track file written before the output limits existed, read by an older schema, may not name them.
    outputBytes: (s.outputMb ?? DEFAULT_SANDBOX.outputMb) * MIB,
    maxOutputFiles: s.maxOutputFiles ?? DEFAULT_SANDBOX.maxOutputFiles,
  };
}

/**
 * The base names of the track's label files and folders (what a package hunting for labels would name), when
 * the job's track names its data set. A leased track never does (harness/wire/agent-track.ts): on an agent
 * this is empty, and a package that fails reaching for labels is LPCV_E_SOLUTION_EXIT, not
 * LPCV_E_SANDBOX_LABELS. Only a whole track handed to the target (the tests) names them.
 */
function labelNames(track: AgentTrack & { readonly dataset?: DatasetSpec }): string[] {
  const d = track.dataset;
  if (d === undefined) return [];
  const paths = d.format === 'coco' ? [d.annotations] : d.format === 'segmentation' ? [d.masks] : [d.labels];
  return paths.map((p) => path.basename(p)).filter((n) => n !== '' && n !== '.' && n !== '..');
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
    limits: { memoryBytes: limits.memoryBytes, maxProcesses: limits.maxProcesses, tmpBytes: limits.tmpBytes, outputBytes: limits.outputBytes },
    outputBytes: run.report?.outputBytes ?? null,
    outputFiles: run.report?.outputFiles ?? null,
    stdoutBytes: run.stdoutBytes,
    stderrBytes: run.stderrBytes,
    stderrLastLine: lastLine(run.stderrTail),
    ...(selfNote ? { selfReportedNote: selfNote } : {}),
  };
}
