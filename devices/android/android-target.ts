import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import { DEVICE_TASKS } from '../tasks/device-tasks.js';
import type { Measurement, Predictions } from '../../harness/measurement.js';
import type { EnergyRecord, TargetInfo } from '../../harness/result-record.js';
import { integrateEnergy } from '../../scoring/energy.js';
import { openAndroidBatterySampler, type DeviceShell } from '../power/android-battery.js';
import type { PowerSample, PowerSampler } from '../power/power-sampler.js';
import { powerSourceText } from '../power/power-source-spec.js';
import type { ProtocolCapabilities, Target, TargetJob, TargetRun } from '../targets/target.js';
import { Adb, tail, type ShellOptions } from './adb.js';
import { parseAndroidSpec, type AndroidSpec } from './android-spec.js';
import { parseBenchmarkModelOutput, toMs, type BenchmarkModelOutput } from './benchmark-model-output.js';
import { coresToMask, parseCores } from './cpu-mask.js';
import { checkPhoneState, phoneSnapshot, readPhoneState, type PhoneRequirements, type PhoneState } from './phone-state.js';
import type { EnvironmentProbe } from '../environment/environment-probe.js';
import type { GuardClock } from '../environment/guard-clock.js';
import { runGuardedTrial } from '../environment/run-guarded-trial.js';
import { readRunnerOutputFolder, readRunnerPredictions, writeRunnerInputs } from './runner-files.js';

/**
 * An Android phone behind adb (docs/android.md), the way the 2020 OVIC track measured Pixel 4 and LG G8:
 * TFLite's own benchmark_model pinned to chosen cores with taskset and run with the track's thread count,
 * and an on-device accuracy runner (our contract) for the predictions.
 *
 * Latency samples: benchmark_model prints only a summary per invocation, so each sample is one invocation
 * `--warmup_runs=W --warmup_min_secs=0 --num_runs=1 --min_secs=0`, and its `curr` (the one timed run,
 * after W warm-up runs in that process) is the sample. Every number in latencyMs is a run the tool timed;
 * none is derived from an average. The cost is time on the phone: each sample pays a process start, a
 * model load and W warm-up runs. Every invocation's summary is kept in targetReport.
 *
 * Energy: with power=battery, the battery sampler (devices/power/android-battery.ts) brackets exactly the
 * benchmark_model invocations (load and warm-up included: it cannot be narrower than a process). A phone on
 * USB power cannot be measured that way, and the sampler refuses it: energy is then null with its reason.
 *
 * Environment guards: the latency pass is the run's one trial. The phone's state (thermal status, battery
 * temperature, charging, the HAL's temperatures) is read right before and right after it and judged with the
 * track's `protocol.guards` (devices/environment/run-guarded-trial.ts): a refused pass is run again, after the
 * track's cooldown, up to guards.repeats times, then LPCV_E_ENVIRONMENT_DISTURBED. The refusals before the run
 * (target.android: charging, thermal status, battery temperature) stay as they were.
 */

export interface AndroidTargetOptions {
  /** An `adb://SERIAL?...` spec or its parsed form. */
  readonly spec: string | AndroidSpec;
  /** The device's name (default: the spec's name=, else `adb-<serial>` as docs/agents.md names devices). */
  readonly name?: string;
  /** The adb executable (default `adb`); the tests pass the stand-in. */
  readonly adbPath?: string;
  /** Extra environment for adb. */
  readonly adbEnv?: Readonly<Record<string, string>>;
  /** Opens the power sampler when power=battery (default: the Android battery sampler over adb shell, in the spec's folder). */
  readonly openPowerSampler?: (shell: DeviceShell) => Promise<PowerSampler>;
  /** The host clock for the state timestamps (tests). */
  readonly now?: () => Date;
  /** The clock and sleep of the guards' cooldown (tests pass a fake one). */
  readonly guardClock?: GuardClock;
}

/** Cap on benchmark_model invocations when the track sets no maxRuns (one invocation costs about a second). */
export const DEFAULT_MAX_INVOCATIONS = 1000;
/** Exit status of the accuracy runner when the model itself failed (docs/android.md, "The runner contract"). */
export const RUNNER_EXIT_MODEL_FAILED = 3;
const REPORT_LIMIT = 60_000;

export class AndroidTarget implements Target {
  readonly name: string;
  readonly kind: string;
  readonly formats = ['tflite'] as const;
  readonly spec: AndroidSpec;
  readonly adb: Adb;
  readonly #openPower: ((shell: DeviceShell) => Promise<PowerSampler>) | undefined;
  readonly #now: () => Date;
  readonly #guardClock: GuardClock | undefined;
  #info: TargetInfo | undefined;

  constructor(o: AndroidTargetOptions) {
    this.spec = typeof o.spec === 'string' ? parseAndroidSpec(o.spec) : o.spec;
    this.name = o.name ?? this.spec.name ?? `adb-${this.spec.serial.replace(/[^A-Za-z0-9._:-]/g, '-')}`;
    this.kind = this.spec.kind;
    this.adb = new Adb({ serial: this.spec.serial, ...(o.adbPath ? { adbPath: o.adbPath } : {}), ...(o.adbEnv ? { env: o.adbEnv } : {}) });
    const power = this.spec.power;
    this.#openPower =
      power.kind === 'battery'
        ? (o.openPowerSampler ?? ((shell) => openAndroidBatterySampler({ shell, ...(power.dir !== undefined ? { dir: power.dir } : {}) })))
        : undefined;
    this.#now = o.now ?? (() => new Date());
    this.#guardClock = o.guardClock;
  }

  capabilities(): Record<string, unknown> {
    const s = this.spec;
    return {
      driver: 'android',
      runtime: 'tflite benchmark_model',
      formats: [...this.formats],
      serial: s.serial,
      cores: s.cores ?? null,
      threads: s.threads,
      benchmark: s.benchmarkPath,
      runner: s.runnerPath,
      power: powerSourceText(s.power),
      protocol: { freshProcessTrials: false, referencePairing: false, environment: 'phone' } satisfies ProtocolCapabilities,
    };
  }

  async probe(signal?: AbortSignal): Promise<TargetInfo> {
    await this.adb.getState(signal);
    const o: ShellOptions = signal ? { signal, timeoutMs: 30_000 } : { timeoutMs: 30_000 };
    // One `getprop` lists every property as `[name]: [value]` (one round trip instead of one per name).
    const props = new Map<string, string>();
    for (const m of (await this.adb.shellText(['getprop'], o)).matchAll(/^\[([^\]]+)\]: \[(.*)\]\s*$/gm)) props.set(m[1]!, m[2]!);
    const prop = (key: string): string => props.get(key)?.trim() ?? '';
    const model = prop('ro.product.model');
    const maker = prop('ro.product.manufacturer');
    const release = prop('ro.build.version.release');
    const platform = prop('ro.board.platform');
    this.#info = {
      kind: this.kind,
      device: this.name,
      runtime: 'tflite benchmark_model',
      threads: this.spec.threads,
      os: release ? `Android ${release}` : 'Android',
      cpu: [maker, model].filter((x) => x !== '').join(' ') + (platform ? ` (${platform})` : ''),
    };
    return this.#info;
  }

  async run(job: TargetJob): Promise<TargetRun> {
    if (job.artifact.format !== 'tflite') {
      throw new LpcvError('LPCV_E_MODEL_FORMAT', `the Android target runs TFLite models, not ${job.artifact.format}`);
    }
    const { track } = job;
    const phone = DEVICE_TASKS[track.task].phone;
    if (!phone.runs) throw new LpcvError('LPCV_E_TRACK_INVALID', `track ${track.name}: the Android driver does not run ${track.task} tracks (${phone.why})`);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), track.limits.runTimeoutMs);
    const signal = AbortSignal.any([job.signal, timeout.signal]);
    try {
      return await this.#run(job, signal);
    } catch (e) {
      if (e instanceof LpcvError && e.code === 'LPCV_E_RUN_CANCELLED' && timeout.signal.aborted && !job.signal.aborted) {
        throw new LpcvError(
          'LPCV_E_MODEL_TIMEOUT',
          `the run on ${this.spec.serial} took longer than the track's ${track.limits.runTimeoutMs} ms and was stopped`,
        );
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  async #run(job: TargetJob, signal: AbortSignal): Promise<TargetRun> {
    const { track, log } = job;
    const adb = this.adb;
    const o: ShellOptions = { signal };
    const android = track.target.android;
    const requirements: PhoneRequirements = {
      refuseCharging: android?.refuseCharging ?? false,
      ...(android?.maxThermalStatus !== undefined ? { maxThermalStatus: android.maxThermalStatus } : {}),
      ...(android?.maxBatteryTempC !== undefined ? { maxBatteryTempC: android.maxBatteryTempC } : {}),
    };
    const cores = android?.cores !== undefined ? parseCores(android.cores) : this.spec.cores;
    const mask = cores === undefined ? undefined : coresToMask(cores);
    const pin = mask === undefined ? [] : ['taskset', mask];
    const threads = track.protocol.threads;
    const info = this.#info ?? (await this.probe(signal));

    job.onProgress({ phase: 'phone state', fraction: 0 });
    await adb.getState(signal);
    const before = await readPhoneState(adb, o, this.#now);
    checkPhoneState(this.spec.serial, before, requirements);

    const dir = `${this.spec.workdir}/job-${job.jobId}`;
    const model = `${dir}/model.tflite`;
    const inputsDir = `${dir}/inputs`;
    const predsRemote = `${dir}/predictions.txt`;
    try {
      await adb.shellText(['rm', '-rf', dir], o);
      await adb.shellText(['mkdir', '-p', dir], o);
      job.onProgress({ phase: 'push', fraction: 0 });
      await adb.push(job.artifact.file, model, signal);
      const localInputs = path.join(job.workDir, 'inputs');
      const { names, sizes } = await writeRunnerInputs(job.inputs, localInputs);
      // The folder does not exist on the phone yet, so adb creates it with the local folder's files in it.
      await adb.push(localInputs, inputsDir, signal);
      log(`pushed the model (${job.artifact.bytes} bytes) and ${names.length} inputs to ${this.spec.serial}:${dir}`);

      // Latency: one benchmark_model invocation per sample (see the class comment).
      const p = track.protocol;
      const maxRuns = p.maxRuns ?? Math.max(p.minRuns, DEFAULT_MAX_INVOCATIONS);
      const bench = [
        ...pin,
        this.spec.benchmarkPath,
        `--graph=${model}`,
        `--num_threads=${threads}`,
        `--warmup_runs=${p.warmupRuns}`,
        '--warmup_min_secs=0',
        '--num_runs=1',
        '--min_secs=0',
      ];
      // The phone's state right around the latency pass (the reading checked above is older: the push came between).
      const probe: EnvironmentProbe = { snapshot: async () => phoneSnapshot(await readPhoneState(adb, o, this.#now)) };
      const power = await this.#openSampler(signal);
      const trial = await runGuardedTrial({
        probe,
        guards: p.guards,
        what: `the latency pass on ${this.spec.serial}`,
        signal,
        log,
        ...(this.#guardClock ? { clock: this.#guardClock } : {}),
        attempt: async () => {
          const summaries: BenchmarkModelOutput[] = [];
          const latencyMs: number[] = [];
          let timedMs = 0;
          const measured = await bracket(power.sampler, power.note, async () => {
            while (latencyMs.length < maxRuns && (latencyMs.length < p.minRuns || timedMs < p.minDurationMs)) {
              const out = await this.#benchmarkOnce(bench, o);
              summaries.push(out);
              const ms = toMs(out.inference.curr);
              latencyMs.push(ms);
              timedMs += ms;
              job.onProgress({ phase: 'latency', fraction: Math.min(1, latencyMs.length / p.minRuns), done: latencyMs.length, total: p.minRuns });
            }
          });
          // benchmark_model's CPU time is the phone's to know, not adb's: the guards count no busy share here.
          return { result: { ...measured, summaries, latencyMs, timedMs }, ownJiffies: null };
        },
      });
      const { energy, note: energyNote, samples, summaries, latencyMs, timedMs } = trial.result;
      log(`${latencyMs.length} benchmark_model runs on cores ${mask ?? 'unpinned'} with ${threads} thread(s)`);

      job.onProgress({ phase: 'accuracy', fraction: 0 });
      // Classification: one predictions file (the original contract). Other tasks: a folder in the package format
      // of the task, and --task naming it (devices/tasks/device-tasks.ts; docs/android.md, "The runner contract").
      const phone = DEVICE_TASKS[track.task].phone;
      // (run() refused a task phones do not run.)
      const classification = !phone.runs || phone.runnerWrites === 'predictions-file';
      const outRemote = classification ? predsRemote : `${dir}/outputs`;
      if (!classification) await adb.shellText(['mkdir', '-p', outRemote], o);
      const runner = [
        ...pin,
        this.spec.runnerPath,
        '--model',
        model,
        '--inputs',
        inputsDir,
        '--output',
        outRemote,
        '--num_threads',
        String(threads),
        ...(classification ? [] : ['--task', track.task]),
      ];
      const r = await adb.shell(runner, o);
      if (r.exitCode === 126 || r.exitCode === 127) throw toolMissing(this.spec.serial, this.spec.runnerPath, r.stderr || r.stdout);
      if (r.exitCode === RUNNER_EXIT_MODEL_FAILED)
        throw new LpcvError('LPCV_E_MODEL_RUNTIME', `the accuracy runner on ${this.spec.serial} could not run the model: ${tail(r.stderr || r.stdout)}`);
      if (r.exitCode !== 0)
        throw new LpcvError('LPCV_E_ANDROID_RUNNER_FAILED', `the accuracy runner on ${this.spec.serial} exited ${r.exitCode}: ${tail(r.stderr || r.stdout)}`);
      let predictions: Predictions;
      if (classification) {
        const predsLocal = path.join(job.workDir, 'predictions.txt');
        await adb.pull(predsRemote, predsLocal, signal);
        predictions = await readRunnerPredictions(track, job.inputs.ids, names, predsLocal);
      } else {
        const outLocal = path.join(job.workDir, 'outputs');
        await adb.pull(outRemote, outLocal, signal);
        predictions = await readRunnerOutputFolder(track, job.inputs.ids, sizes, outLocal);
      }
      job.onProgress({ phase: 'accuracy', fraction: 1, done: names.length, total: names.length });

      const after = await readPhoneState(adb, o, this.#now);
      const measurement: Measurement = {
        predictions,
        runtime: 'tflite benchmark_model',
        threads,
        protocol: { warmupRuns: p.warmupRuns, minRuns: p.minRuns, minDurationMs: p.minDurationMs, maxRuns, trials: 1 },
        latencyMs,
        // Warm-up runs happen inside each invocation; the tool prints their summary (kept in targetReport), not each run.
        warmupMs: [],
        preprocessMs: [],
        // The latency pass is the one trial (each sample is its own benchmark_model process, but no trial is).
        trials: [
          {
            latencyMs: [...latencyMs],
            warmupMs: [],
            timedMs,
            capped: latencyMs.length >= maxRuns && (latencyMs.length < p.minRuns || timedMs < p.minDurationMs),
            environment: trial.environment,
            ...(trial.refused.length > 0 ? { refused: trial.refused } : {}),
          },
        ],
        applied: { freshProcessTrials: false, referencePaired: false, guards: true, scenario: 'single-stream' },
        targetReport: {
          ...targetReport({ serial: this.spec.serial, mask, cores, threads, bench, before, after, summaries, energyNote }),
          ...(trial.cooldowns.length > 0 ? { cooldowns: trial.cooldowns } : {}),
        },
      };
      const target: TargetInfo = { ...info, threads };
      return energy === null ? { measurement, target, energy, energyNote: energyNote ?? 'no power sampler' } : { measurement, target, energy, power: samples };
    } finally {
      // Best effort, and not under the job's signal: an aborted job still leaves the phone clean when it can.
      await adb.shell(['rm', '-rf', dir], { timeoutMs: 30_000 }).catch(() => undefined);
    }
  }

  async #benchmarkOnce(words: string[], o: ShellOptions): Promise<BenchmarkModelOutput> {
    const r = await this.adb.shell(words, o);
    if (r.exitCode === 126 || r.exitCode === 127) throw toolMissing(this.spec.serial, this.spec.benchmarkPath, r.stderr || r.stdout);
    if (r.exitCode !== 0) {
      // benchmark_model exits 1 when TFLite refuses the model (cannot build the interpreter, an op fails).
      throw new LpcvError(
        'LPCV_E_MODEL_RUNTIME',
        `benchmark_model on ${this.spec.serial} failed on the model (exit ${r.exitCode}): ${tail(`${r.stdout}\n${r.stderr}`)}`,
      );
    }
    return parseBenchmarkModelOutput(r.stdout);
  }

  async #openSampler(signal: AbortSignal): Promise<{ sampler?: PowerSampler; note?: string }> {
    if (this.#openPower === undefined) {
      return { note: `power=none for ${this.spec.serial}: no power sampler (the battery's current_now x voltage_now is read only with power=battery)` };
    }
    try {
      return { sampler: await this.#openPower((args) => this.adb.shellText(args, { signal })) };
    } catch (e) {
      if (e instanceof LpcvError && e.code.startsWith('LPCV_E_POWER_')) return { note: `the battery sampler could not start (${e.code}): ${e.message}` };
      throw e;
    }
  }
}

/**
 * Runs `work` between the sampler's start and stop and integrates over exactly that window. A sampler that
 * fails (the phone started charging, a read failed) costs the energy, never the latency: energy is then
 * null with the reason.
 */
async function bracket(
  sampler: PowerSampler | undefined,
  note: string | undefined,
  work: () => Promise<void>,
): Promise<{ energy: EnergyRecord | null; note?: string; samples?: readonly PowerSample[] }> {
  if (sampler === undefined) {
    await work();
    return { energy: null, ...(note !== undefined ? { note } : {}) };
  }
  let startError: LpcvError | undefined;
  try {
    await sampler.start();
  } catch (e) {
    if (!(e instanceof LpcvError)) throw e;
    startError = e;
  }
  try {
    await work();
  } catch (e) {
    if (startError === undefined) await sampler.stop().catch(() => undefined);
    throw e;
  }
  if (startError !== undefined) return { energy: null, note: `the battery sampler failed at the start of the run (${startError.code}): ${startError.message}` };
  try {
    const trace = await sampler.stop();
    const e = integrateEnergy(trace.samples, trace.startMs, trace.endMs);
    return {
      energy: { joules: e.joules, avgWatts: e.avgWatts, source: trace.source, sampleCount: e.sampleCount, windowSeconds: e.windowSeconds },
      samples: trace.samples,
    };
  } catch (e) {
    if (e instanceof LpcvError) return { energy: null, note: `the battery sampler failed during the run (${e.code}): ${e.message}` };
    throw e;
  }
}

function toolMissing(serial: string, tool: string, text: string): LpcvError {
  return new LpcvError(
    'LPCV_E_ANDROID_TOOL_MISSING',
    `${serial}: ${tool} is not on the phone or not executable (${tail(text)}); see docs/android.md for setting it up`,
    { serial, tool },
  );
}

interface ReportInput {
  serial: string;
  mask: string | undefined;
  cores: readonly number[] | undefined;
  threads: number;
  bench: readonly string[];
  before: PhoneState;
  after: PhoneState;
  summaries: readonly BenchmarkModelOutput[];
  energyNote: string | undefined;
}

/**
 * What the phone and the tool said, for the record (JSON, under 64 KiB): the battery and thermal state
 * before and after, the benchmark_model command, and every invocation's summary in columns (its timed run
 * is the matching latencyMs entry x 1000). Past the size limit the columns are cut and the cut is said.
 */
function targetReport(r: ReportInput): Record<string, unknown> {
  const s = r.summaries;
  const invocations = {
    count: s.length,
    timedRuns: s.map((x) => x.inference.count),
    warmupRuns: s.map((x) => x.warmup?.count ?? null),
    warmupAvgUs: s.map((x) => x.warmup?.avg ?? (x.warmup && x.warmup.count > 0 ? x.warmup.curr : null)),
    initUs: s.map((x) => x.timings?.initUs ?? null),
    firstInferenceUs: s.map((x) => x.timings?.firstInferenceUs ?? null),
  };
  const report: Record<string, unknown> = {
    driver: 'android',
    serial: r.serial,
    taskset: r.mask ?? null,
    cores: r.cores ?? null,
    threads: r.threads,
    benchmarkCommand: r.bench,
    sampling: "one benchmark_model invocation per latency sample: --num_runs=1 after the warm-up runs; each sample is that invocation's curr",
    stateBefore: r.before,
    stateAfter: r.after,
    firstSummary: s[0] ?? null,
    lastSummary: s[s.length - 1] ?? null,
    invocations,
    ...(s.some((x) => x.inference.count !== 1)
      ? { note: 'some invocations ran more than one timed run (a build without --min_secs?); each sample is still the last timed run (curr)' }
      : {}),
    ...(r.energyNote !== undefined ? { energyNote: r.energyNote } : {}),
  };
  let text = JSON.stringify(report);
  let keep = s.length;
  while (text.length > REPORT_LIMIT && keep > 1) {
    keep = Math.floor(keep / 2);
    const cut = Object.fromEntries(Object.entries(invocations).map(([k, v]) => [k, Array.isArray(v) ? v.slice(0, keep) : v]));
    report.invocations = { ...cut, truncatedAfter: keep };
    text = JSON.stringify(report);
  }
  return report;
}
