/**
 * The SSH board target (Ultra96-V2 with PYNQ, Jetson Nano, Raspberry Pi; docs/ssh-boards.md). A run:
 *   1. lists the board's hwmon devices and chooses the rails (power=hwmon), with devices/power/hwmon.ts, or
 *      reads the board's clock for a meter read from this host (power=scpi://..., board-meter.ts);
 *   2. writes the inputs locally as PNG files (devices/solution/package-io.ts), stages them with the
 *      submission and the runner, and copies them into a fresh folder on the board (one tar stream);
 *   3. runs the track's on-board command through the runner: page cache dropped and network locked when
 *      the track asks, the power loop started, the command timed on the board's clock in its own process
 *      group, a watchdog at the track's time limit;
 *   4. copies the outputs and the runner's records back, reads the predictions, integrates the power
 *      samples (the board's, or the meter's carried onto the board's clock) over exactly the command's
 *      window (scoring/energy.ts);
 *   5. removes the folder on the board, whatever happened;
 *   6. judges the board's state read just before and after the command (board-environment.ts) with the
 *      track's environment guards: a refused run is run again, whole (steps 2-5, after the track's cooldown),
 *      up to guards.repeats times, then the job fails as the infrastructure's (LPCV_E_ENVIRONMENT_DISTURBED).
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { TrialEnvironment } from '../../harness/environment.js';
import type { Measurement } from '../../harness/measurement.js';
import type { EnergyRecord, TargetInfo } from '../../harness/result-record.js';
import type { ModelFormat } from '../../submissions/model-format.js';
import type { StreamLog } from '../../harness/wire/index.js';
import { integrateEnergy } from '../../scoring/energy.js';
import type { PowerSample } from '../power/power-sampler.js';
import { powerSourceText } from '../power/power-source-spec.js';
import { defaultClock } from '../power/poller.js';
import { openScpiMeterSampler, type ScpiMeterSampler } from '../power/scpi-meter.js';
import { readOutputFolder, readSelfReportedMs, writeInputFolder } from '../solution/package-io.js';
import { DEVICE_TASKS } from '../tasks/device-tasks.js';
import type { ProtocolCapabilities, Target, TargetJob, TargetRun } from '../targets/target.js';
import { boardCommand, DEFAULT_BOARD_COMMAND, packageFileName } from './board-command.js';
import { BOARD_CLOCK_LOOP, readBoardClock } from './board-clock.js';
import { meterSamplesOnBoard, type BoardClockReading } from './board-meter.js';
import { chooseBoardRails, extraHwmonDirs, HWMON_LIST_SCRIPT, parseHwmonListing, parsePowerLines, type BoardRails } from './board-power.js';
import { cleanUpRun, readBoardEnvironment, runOnBoard, RUNNER_NAME, RUNNER_SCRIPT, type BoardResult } from './board-run.js';
import { boardTrialEnvironment } from './board-environment.js';
import { coolDown, type CooldownRecord } from '../environment/cooldown.js';
import { realGuardClock } from '../environment/guard-clock.js';
import { repeatWhileRefused } from '../environment/guarded-attempts.js';
import { shellQuote } from '../targets/shell-quote.js';
import { withRunLogs } from '../targets/run-logs.js';
import { decodeTail, TAIL_BYTES } from '../targets/stream-tail.js';
import { downloadFolder, remoteScript, sshArgv, sshFailure, sshRunOk, uploadFolder, type SshEndpoint } from './ssh-exec.js';
import { SshMaster } from './ssh-master.js';
import { parseSshSpec, type SshBoardSpec } from './ssh-spec.js';

export interface SshTargetOptions {
  /** Artifact formats the boards' commands take (default: zip, i.e. solution packages). */
  readonly formats?: readonly ModelFormat[];
  /** How long past the track's time limit the host waits for the board's own watchdog (default 30 s). */
  readonly hostGraceMs?: number;
  /** The most output a run may copy back from the board (default 1 GiB); more is the submission's fault. */
  readonly maxOutputBytes?: number;
}

const DEFAULT_MAX_OUTPUT_BYTES = 1024 ** 3;

/** Why a board run has no energy figure when the spec says power=none. */
export const ENERGY_NOTE_NO_POWER = 'the device spec says power=none: the harness reads no power sensor on this board';

const PROBE_SCRIPT = [
  'printf "os=%s\\n" "$(uname -srm)"',
  'printf "host=%s\\n" "$(uname -n)"',
  'm=; [ -r /proc/device-tree/model ] && m=$(tr -d "\\000" < /proc/device-tree/model)',
  'printf "model=%s\\n" "$m"',
  'printf "cpu=%s\\n" "$(grep -m1 -E "^(model name|Model|Hardware|cpu model)" /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed "s/^ *//")"',
  'printf "cores=%s\\n" "$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null)"',
  'if command -v python3 >/dev/null 2>&1; then printf "python=%s\\n" "$(python3 --version 2>&1 | head -n 1)"; else echo python=; fi',
  'if command -v setsid >/dev/null 2>&1; then echo setsid=yes; else echo setsid=no; fi',
  'command -v tar >/dev/null 2>&1 || { echo "tar is not installed" >&2; exit 3; }',
].join('\n');

interface BoardFacts {
  readonly info: TargetInfo;
  readonly python: string;
  readonly cores: number;
}

function keyValues(text: string): Map<string, string> {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  return kv;
}

export class SshTarget implements Target {
  readonly name: string;
  readonly kind: string;
  readonly formats: readonly ModelFormat[];
  private readonly base: SshEndpoint;
  private readonly master: SshMaster;
  private facts: BoardFacts | undefined;
  /** The meter on the board's supply (power=scpi://...), read from this host; opened by the first probe or run. */
  private meter: ScpiMeterSampler | undefined;

  constructor(
    readonly spec: SshBoardSpec,
    private readonly opts: SshTargetOptions = {},
  ) {
    this.name = spec.name;
    this.kind = spec.kind;
    this.formats = opts.formats ?? ['zip'];
    this.base = { user: spec.user, host: spec.host, port: spec.port, key: spec.key, knownHosts: spec.knownHosts, connectTimeoutS: spec.connectTimeoutS };
    this.master = new SshMaster(this.base);
  }

  /** The endpoint for the next call: through the master connection when it is up. */
  private get ep(): SshEndpoint {
    const controlPath = this.master.controlPath;
    return controlPath === undefined ? this.base : { ...this.base, controlPath };
  }

  /** Ends the master connection (and the meter's). */
  async close(): Promise<void> {
    await this.meter?.close();
    await this.master.close();
  }

  /** From a device spec's text (ssh://...; ssh-spec.ts lists the keys). */
  static fromSpec(text: string, opts: SshTargetOptions = {}): SshTarget {
    return new SshTarget(parseSshSpec(text), opts);
  }

  private get board(): string {
    return `${this.spec.user}@${this.spec.host}:${this.spec.port}`;
  }

  capabilities(): Record<string, unknown> {
    const s = this.spec;
    return {
      driver: 'ssh',
      board: this.board,
      formats: [...this.formats],
      power: powerSourceText(s.power),
      powerPeriodMs: s.periodMs,
      workdir: s.workdir,
      networkLock: s.lockCommand !== undefined,
      protocol: { freshProcessTrials: false, referencePairing: false, environment: 'board' } satisfies ProtocolCapabilities,
      ...(this.facts ? { runtime: this.facts.info.runtime, os: this.facts.info.os } : {}),
    };
  }

  async probe(signal?: AbortSignal): Promise<TargetInfo> {
    return (await this.describeBoard(signal)).info;
  }

  private async describeBoard(signal?: AbortSignal): Promise<BoardFacts> {
    await this.master.ensure(signal);
    const r = await sshRunOk(this.ep, remoteScript(PROBE_SCRIPT), { what: 'describe the board', ...(signal ? { signal } : {}) });
    const kv = keyValues(r.stdout);
    const model = kv.get('model') || kv.get('host') || this.spec.host;
    const cores = Number(kv.get('cores')) || 1;
    const python = kv.get('python') ?? '';
    if (this.spec.power.kind === 'hwmon') await this.chooseRails(signal);
    if (this.spec.power.kind === 'scpi') await this.openMeter();
    const facts: BoardFacts = {
      python,
      cores,
      info: {
        kind: this.kind,
        device: `${this.name} (${model})`,
        runtime: python !== '' ? `${python} over SSH` : 'on-board command over SSH',
        threads: cores,
        os: kv.get('os') || 'unknown',
        cpu: `${kv.get('cpu') || 'unknown'} (${cores} cores)`,
      },
    };
    this.facts = facts;
    return facts;
  }

  /** The board's hwmon devices, listed now (hwmonN numbers can change across boots), and the rails chosen. */
  private async chooseRails(signal?: AbortSignal): Promise<BoardRails> {
    if (this.spec.power.kind !== 'hwmon') throw new LpcvError('LPCV_E_INTERNAL', 'no power rails on this board');
    const { select = '', root } = this.spec.power;
    const r = await sshRunOk(this.ep, remoteScript(HWMON_LIST_SCRIPT, [root, ...extraHwmonDirs(select)]), {
      what: 'list the hwmon devices',
      ...(signal ? { signal } : {}),
    });
    return chooseBoardRails(parseHwmonListing(r.stdout), select);
  }

  /** The meter, connected and probed (LPCV_E_POWER_NO_SENSOR when it does not answer) once; it reconnects after a failure. */
  private async openMeter(): Promise<ScpiMeterSampler> {
    const p = this.spec.power;
    if (p.kind !== 'scpi') throw new LpcvError('LPCV_E_INTERNAL', 'no meter on this board');
    // The meter's clock is the one the run's ssh call is timed with below (board-meter.ts).
    this.meter ??= await openScpiMeterSampler({ host: p.host, port: p.port, element: p.element, periodMs: this.spec.periodMs, now: defaultClock });
    return this.meter;
  }

  /** The board's clock, read between two readings of the meter's (board-clock.ts). */
  private readBoardClock(signal: AbortSignal): Promise<BoardClockReading> {
    const what = "read the board's clock";
    return readBoardClock('ssh', sshArgv(this.ep, remoteScript(BOARD_CLOCK_LOOP)), {
      now: defaultClock,
      signal,
      failure: (code, stderr) => (code === 255 ? sshFailure(this.ep, stderr, what) : undefined),
    });
  }

  async run(job: TargetJob): Promise<TargetRun> {
    const t = job.track.target;
    if (!this.formats.includes(job.artifact.format)) {
      throw new LpcvError('LPCV_E_TARGET_FORMAT', `${this.name} runs ${this.formats.join(', ')} artifacts, not ${job.artifact.format}`);
    }
    if (t.lockNetwork === true && this.spec.lockCommand === undefined) {
      throw new LpcvError(
        'LPCV_E_SSH_CONFIG',
        `track ${job.track.name} locks the board's network for the run, and ${this.name} has no lock_cmd/unlock_cmd in its device spec`,
      );
    }
    const cancelled = (): void => {
      if (job.signal.aborted) throw new LpcvError('LPCV_E_RUN_CANCELLED', `the run on ${this.name} was cancelled`);
    };
    const facts = this.facts ?? (await this.describeBoard(job.signal));
    cancelled();
    await this.master.ensure(job.signal);
    const rails = this.spec.power.kind === 'hwmon' ? await this.chooseRails(job.signal) : undefined;
    const meter = this.spec.power.kind === 'scpi' ? await this.openMeter() : undefined;

    // 6. The board runs its command once: one trial, under the guards (a refused run is run again, whole).
    const guards = job.track.protocol.guards;
    const cooldowns: CooldownRecord[] = [];
    const { result, environment, refused } = await repeatWhileRefused({
      guards,
      what: `the run on ${this.name}`,
      log: job.log,
      attempt: async (index) => {
        const a = await this.attempt(job, index, { facts, rails, meter, cooldowns, cancelled });
        return { result: a.run, environment: a.environment };
      },
    });
    const m = result.measurement;
    const durationMs = m.wall!.durationMs;
    const measurement: Measurement = {
      ...m,
      protocol: { ...m.protocol, trials: 1 },
      // The one batch run is the one trial: its per-image share of the wall clock is the only latency figure
      // there is (the same one as latencyMs), and the board's state around it is what the guards saw.
      trials: [
        {
          latencyMs: [...m.latencyMs],
          warmupMs: [],
          timedMs: durationMs,
          capped: false,
          ...(environment !== null ? { environment } : {}),
          ...(refused.length > 0 ? { refused } : {}),
        },
      ],
      applied: { freshProcessTrials: false, referencePaired: false, guards: environment !== null, scenario: 'single-stream' },
      targetReport: { ...m.targetReport, ...(cooldowns.length > 0 ? { cooldowns } : {}) },
    };
    return { ...result, measurement };
  }

  /** One whole board run: stage, copy, (cool down,) run, copy back, clean up; and what the board's state was around the command. */
  private async attempt(
    job: TargetJob,
    index: number,
    ctx: {
      facts: BoardFacts;
      rails: BoardRails | undefined;
      meter: ScpiMeterSampler | undefined;
      cooldowns: CooldownRecord[];
      cancelled: () => void;
    },
  ): Promise<{ run: TargetRun; environment: TrialEnvironment | null }> {
    const t = job.track.target;
    const { facts, rails, meter, cancelled } = ctx;
    // 2. Stage locally: the runner, its config, the submission, the inputs, an empty outputs folder.
    const suffix = index === 0 ? '' : `-${index + 1}`;
    const stage = path.join(job.workDir, `ssh-stage${suffix}`);
    const back = path.join(job.workDir, `ssh-back${suffix}`);
    job.onProgress({ phase: 'copy', fraction: 0 });
    await mkdir(path.join(stage, 'meta'), { recursive: true });
    await mkdir(path.join(stage, 'outputs'), { recursive: true });
    await writeFile(path.join(stage, RUNNER_NAME), RUNNER_SCRIPT, { mode: 0o755 });
    const timeoutMs = job.track.limits.runTimeoutMs;
    const config = {
      PERIOD_MS: String(this.spec.periodMs),
      TIMEOUT_MS: String(timeoutMs),
      DROP_CACHES: t.dropCaches === true ? '1' : '0',
      DROP_CACHES_CMD: this.spec.dropCachesCommand,
      LOCK: t.lockNetwork === true ? '1' : '0',
      LOCK_CMD: this.spec.lockCommand ?? '',
      UNLOCK_CMD: this.spec.unlockCommand ?? '',
      // The board's state around the command, read from its sysfs (hwmon_root's, else /sys) and /proc.
      ENVIRONMENT: '1',
      ENV_SYS: this.spec.power.kind === 'hwmon' ? this.spec.power.root : '/sys',
      ENV_PROC: '/proc',
    };
    await writeFile(
      path.join(stage, 'meta', 'config'),
      Object.entries(config)
        .map(([k, v]) => `${k}=${shellQuote(v)}\n`)
        .join(''),
    );
    await writeFile(path.join(stage, 'meta', 'power-files'), rails ? rails.files.map((f) => `${f}\n`).join('') : '');
    const pkgName = packageFileName(job.artifact.format);
    await copyFile(job.artifact.file, path.join(stage, pkgName));
    await writeInputFolder(job.inputs, path.join(stage, 'inputs'));
    const sizes = DEVICE_TASKS[job.track.task].checksImageSizes ? await imageSizes(job) : undefined;
    cancelled();

    const runDir = `${this.spec.workdir}/run-${job.jobId}-${randomBytes(6).toString('hex')}`;
    const paths = { package: `${runDir}/${pkgName}`, inputs: `${runDir}/inputs`, outputs: `${runDir}/outputs`, workdir: runDir };
    const argv = boardCommand(t.command ?? DEFAULT_BOARD_COMMAND, paths);
    let cleaned = false;
    let meterRunning = false;
    try {
      await uploadFolder(this.ep, stage, runDir, { what: 'copy the submission and inputs to the board', signal: job.signal });
      cancelled();
      const cooldown = job.track.protocol.guards?.cooldown;
      if (cooldown !== undefined) {
        job.onProgress({ phase: 'cooldown', fraction: 0.05 });
        const probe = { snapshot: () => readBoardEnvironment(this.ep, runDir, job.signal) };
        const c = await coolDown(probe, cooldown, realGuardClock, { signal: job.signal });
        ctx.cooldowns.push(c);
        if (c.reached === false)
          job.log(`${this.name} is still at ${c.endC} °C after ${Math.round(c.waitedMs)} ms of cooldown (until ${c.untilTempC} °C); running anyway`);
        cancelled();
      }
      job.onProgress({ phase: 'run', fraction: 0.1 });
      job.log(`running on ${this.board}: ${argv.map(shellQuote).join(' ')}`);
      // A meter samples on this host around the whole ssh call; the board's clock read just before places
      // the board's window on the meter's clock (board-meter.ts).
      const sync = meter ? await this.readBoardClock(job.signal) : undefined;
      if (meter) {
        await meter.start();
        meterRunning = true;
      }
      const callStartMs = defaultClock();
      const { result, hostMs } = await runOnBoard(this.ep, runDir, argv, {
        signal: job.signal,
        hostDeadlineMs: timeoutMs + (this.opts.hostGraceMs ?? 30_000),
        log: job.log,
      });
      const callEndMs = defaultClock();
      // A meter that failed during the run fails it below, after the command's own failures are reported.
      meterRunning = false;
      const traced = meter
        ? await meter.stop().then(
            (trace) => ({ trace }),
            (error: unknown) => ({ error }),
          )
        : undefined;
      job.onProgress({ phase: 'fetch', fraction: 0.9 });
      const maxOutput = this.opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
      const tooLarge = result.outputsKiB * 1024 > maxOutput;
      const fetchOutputs = result.status === 0 && !result.timedOut && !result.killed && !tooLarge;
      await downloadFolder(this.ep, runDir, fetchOutputs ? ['meta', 'outputs'] : ['meta'], back, { what: 'copy the outputs back', signal: job.signal });
      cancelled();
      const tail = async (f: string): Promise<string> => (await readFile(path.join(back, 'meta', f), 'utf8').catch(() => '')).trim();
      const stderrTail = await tail('stderr.tail');
      const logs = { stdout: await boardStreamLog(back, 'stdout.tail'), stderr: await boardStreamLog(back, 'stderr.tail') };
      // Whatever ends the run from here on, the team sees the command's output with it.
      try {
        if (result.timedOut)
          throw new LpcvError('LPCV_E_MODEL_TIMEOUT', `the on-board command exceeded the time limit of ${timeoutMs} ms and was killed on ${this.name}`, {
            timeoutMs,
          });
        if (result.killed) throw new LpcvError('LPCV_E_RUN_CANCELLED', `the command on ${this.name} was killed`);
        if (result.status !== 0) {
          const how = result.status > 128 ? `was killed by signal ${result.status - 128}` : `exited with status ${result.status}`;
          const last = stderrTail.split('\n').slice(-1)[0]?.slice(0, 300);
          throw new LpcvError('LPCV_E_BOARD_COMMAND_FAILED', `the on-board command ${how}${last ? `: ${last}` : ''}`, {
            exitCode: result.status,
            stderrTail: stderrTail.slice(-2000),
          });
        }
        if (tooLarge) {
          throw new LpcvError(
            'LPCV_E_BOARD_OUTPUT_TOO_LARGE',
            `the on-board command left ${result.outputsKiB} KiB in its output folder, more than the ${Math.floor(maxOutput / 1024)} KiB this board copies back`,
            {
              outputsKiB: result.outputsKiB,
              maxOutputBytes: maxOutput,
            },
          );
        }
        const predictions = await readOutputFolder(job.track, job.inputs.ids, path.join(back, 'outputs'), sizes ? { sizes } : {});
        const self = await readSelfReportedMs(path.join(back, 'outputs'));
        const durationMs = Number(result.endNs - result.startNs) / 1e6;
        const images = job.inputs.ids.length;
        if (traced && 'error' in traced) throw traced.error;
        const onBoard =
          traced && sync
            ? meterSamplesOnBoard(traced.trace, sync, { clock: result.clock, startNs: result.startNs, endNs: result.endNs, callStartMs, callEndMs })
            : undefined;
        const power = rails
          ? parsePowerLines(await readFile(path.join(back, 'meta', 'power.tsv'), 'utf8').catch(() => ''), rails, result.startNs)
          : onBoard?.samples;
        const source = rails?.source ?? (traced && 'trace' in traced ? traced.trace.source : undefined);
        const energy = power && source !== undefined ? energyOver(power, durationMs, source) : null;
        const metaFile = (f: string): Promise<string | undefined> => readFile(path.join(back, 'meta', f), 'utf8').catch(() => undefined);
        const environment = boardTrialEnvironment(
          {
            envBefore: await metaFile('env-before'),
            envAfter: await metaFile('env-after'),
            timesBefore: await metaFile('times-before'),
            timesAfter: await metaFile('times-after'),
          },
          job.track.protocol.guards,
        );
        cleaned = await cleanUpRun(this.ep, runDir, job.log);
        job.onProgress({ phase: 'done', fraction: 1 });
        const measurement: Measurement = {
          predictions,
          runtime: facts.info.runtime,
          threads: job.track.protocol.threads,
          protocol: { warmupRuns: 0, minRuns: 1, minDurationMs: 0, maxRuns: 1 },
          latencyMs: [durationMs / images],
          warmupMs: [],
          preprocessMs: [],
          wall: { durationMs, images, ...(self.ms !== undefined ? { selfReportedMs: self.ms } : {}) },
          targetReport: {
            ...report(this.board, argv, result, hostMs, cleaned, stderrTail, await tail('stdout.tail'), rails, self.note),
            ...(onBoard ? { meterClock: { syncRoundTripMs: onBoard.syncRoundTripMs, uncertaintyMs: onBoard.uncertaintyMs } } : {}),
          },
        };
        const run: TargetRun = {
          measurement,
          target: { ...facts.info, threads: job.track.protocol.threads },
          energy,
          ...(energy === null ? { energyNote: ENERGY_NOTE_NO_POWER } : {}),
          ...(power ? { power } : {}),
          logs,
        };
        return { run, environment };
      } catch (e) {
        throw e instanceof LpcvError ? withRunLogs(e, logs) : e;
      }
    } finally {
      if (meterRunning) await meter?.stop().catch(() => undefined);
      if (!cleaned) await cleanUpRun(this.ep, runDir, job.log);
    }
  }
}

/**
 * A stream's tail as the runner brought it back: one byte more than TAIL_BYTES when the stream was longer
 * (lpcv-run.sh), which is how a cut stream is told from one that fitted. A missing file is an empty stream.
 */
async function boardStreamLog(back: string, file: string): Promise<StreamLog> {
  const bytes = await readFile(path.join(back, 'meta', file)).catch(() => Buffer.alloc(0));
  return decodeTail(bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)), bytes.length);
}

function energyOver(samples: readonly PowerSample[], durationMs: number, source: string): EnergyRecord {
  const e = integrateEnergy(samples, 0, durationMs);
  return { joules: e.joules, avgWatts: e.avgWatts, source, sampleCount: e.sampleCount, windowSeconds: e.windowSeconds };
}

async function imageSizes(job: TargetJob): Promise<{ width: number; height: number }[]> {
  const out: { width: number; height: number }[] = [];
  for (let i = 0; i < job.inputs.ids.length; i++) {
    const img = await job.inputs.read(i);
    out.push({ width: img.width, height: img.height });
  }
  return out;
}

function report(
  board: string,
  argv: readonly string[],
  r: BoardResult,
  hostMs: number,
  cleaned: boolean,
  stderrTail: string,
  stdoutTail: string,
  rails: BoardRails | undefined,
  selfNote: string | undefined,
): Record<string, unknown> {
  return {
    driver: 'ssh',
    board,
    command: [...argv],
    exitCode: r.status,
    clock: r.clock === 'realtime-ns' ? 'board date +%s%N (CLOCK_REALTIME, ns)' : r.clock === 'proc-uptime' ? 'board /proc/uptime (10 ms steps)' : r.clock,
    /** The host's clock around the whole ssh call (connection, runner, power loop start): for audits only. */
    hostWallMs: Math.round(hostMs * 1000) / 1000,
    dropCaches: r.dropped,
    networkLocked: r.network === 'unlocked' || r.network === 'unlock-failed',
    ...(r.network === 'unlock-failed' ? { networkUnlockFailed: true } : {}),
    ownProcessGroup: r.ownGroup,
    powerFiles: rails ? [...rails.files] : [],
    remoteCleanedUp: cleaned,
    stderrTail: stderrTail.slice(-2000),
    stdoutTail: stdoutTail.slice(-1000),
    ...(selfNote ? { selfReportedNote: selfNote } : {}),
  };
}
