/**
 * The Android target end to end against the adb stand-in (fixtures/adb): real child processes, real files,
 * the real formats of adb, dumpsys and benchmark_model, but no phone (none is attached to these machines).
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { openInputs } from '../../harness/datasets/open-split.js';
import type { InputSet } from '../../harness/datasets/types.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';
import { runTargetContract, type ContractJob } from '../targets/testing/target.contract.js';
import type { TargetJob, TargetProgress, TargetRun } from '../targets/target.js';
import { AndroidTarget } from './android-target.js';
import type { BenchmarkModelOutput } from './benchmark-model-output.js';
import type { PhoneState } from './phone-state.js';
import { makeStandinPhone, STANDIN_ADB, type StandinPhone } from './testing/standin-phone.js';

const base = resolveTrack('fashion-mnist');
type AndroidReq = NonNullable<Track['target']['android']>;
function trackWith(android?: Partial<AndroidReq>, threads = 1, runs = 2): Track {
  return {
    ...base,
    formats: ['tflite'],
    protocol: { ...base.protocol, warmupRuns: 5, minRuns: runs, minDurationMs: 0, maxRuns: runs, threads },
    target: { kind: 'android', ...(android ? { android: { refuseCharging: false, ...android } } : {}) },
  };
}

let scratch: string;
let all: InputSet;
const models: Record<'good' | 'fail' | 'slow', string> = { good: '', fail: '', slow: '' };
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'lpcv-android-test-'));
  all = await openInputs(trackWith(), 'val');
  // The stand-in runs no model, so the bytes only need to be a file (and to carry its markers).
  for (const [kind, marker] of [
    ['good', ''],
    ['fail', 'LPCV-STANDIN-FAIL'],
    ['slow', 'LPCV-STANDIN-SLOW'],
  ] as const) {
    models[kind] = path.join(scratch, `${kind}.tflite`);
    await writeFile(models[kind], Buffer.concat([Buffer.from([0x1c, 0, 0, 0]), Buffer.from(`TFL3 stand-in model ${marker}`)]));
  }
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function firstInputs(n: number): InputSet {
  return { ids: all.ids.slice(0, n), read: (i) => all.read(i) };
}

function contractJob(track: Track, model: string, n = 6): ContractJob {
  return { track, split: 'val', artifact: { file: model, sha256: '0'.repeat(64), bytes: 28, format: 'tflite' }, inputs: firstInputs(n) };
}

let jobs = 0;
async function toJob(j: ContractJob, progress: TargetProgress[] = [], signal = new AbortController().signal): Promise<TargetJob> {
  jobs += 1;
  const workDir = path.join(scratch, `job-${jobs}`);
  await mkdir(workDir, { recursive: true });
  return {
    jobId: jobs,
    track: j.track,
    split: j.split,
    artifact: j.artifact,
    inputs: j.inputs,
    signal,
    log: () => {},
    onProgress: (p) => progress.push(p),
    workDir,
  };
}

/** The stand-in runner's rule: (sum of the pixel bytes) mod 10, then the next classes. */
async function expectedTopk(inputs: InputSet): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < inputs.ids.length; i++) {
    const { data } = await inputs.read(i);
    let sum = 0;
    for (const b of data) sum += b;
    out.push([0, 1, 2, 3, 4].map((k) => (sum + k) % 10));
  }
  return out;
}

/** The parts of the target report the tests read. */
interface Report {
  taskset: string | null;
  stateBefore: PhoneState;
  stateAfter: PhoneState;
  lastSummary: BenchmarkModelOutput;
  invocations: Record<string, unknown>;
}
const reportOf = (run: TargetRun): Report => run.measurement.targetReport as unknown as Report;

async function failure(p: Promise<unknown>): Promise<LpcvError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LpcvError);
  return e as LpcvError;
}

// Each adb call is a child process (about 0.3 s idle, over 1.5 s on a loaded two-core machine): a job is ~16 calls.
const SLOW = { timeout: 240_000 };

describe('Android target against the adb stand-in', SLOW, () => {
  let phone: StandinPhone;
  const target = (spec = '', extra: Partial<ConstructorParameters<typeof AndroidTarget>[0]> = {}): AndroidTarget =>
    new AndroidTarget({ spec: `adb://${phone.serial}${spec}`, adbPath: STANDIN_ADB, adbEnv: phone.env, ...extra });
  beforeAll(async () => {
    phone = await makeStandinPhone();
  });
  afterEach(async () => {
    // Each test starts from the fixture phone again.
    await phone.cleanup();
    phone = await makeStandinPhone();
  });
  afterAll(async () => phone?.cleanup());

  it('probes the phone: model, Android release, platform', async () => {
    expect(await target('?name=pixel4').probe()).toEqual({
      kind: 'android',
      device: 'pixel4',
      runtime: 'tflite benchmark_model',
      threads: 1,
      os: 'Android 11',
      cpu: 'Google Pixel 4 (msmnile)',
    });
  });

  it('runs a job: predictions for every input, one latency sample per benchmark_model invocation in ms, state before and after', async () => {
    const j = contractJob(trackWith(undefined, 1, 4), models.good);
    const progress: TargetProgress[] = [];
    const run: TargetRun = await target('?cores=7').run(await toJob(j, progress));
    const m = run.measurement;
    expect(m.predictions).toEqual({ kind: 'topk', ids: j.inputs.ids, topk: await expectedTopk(j.inputs) });
    // The replayed outputs' curr values (fixtures/phone/standin/benchmark-outputs/tf2.3/run-N.txt), in µs -> ms.
    expect(m.latencyMs).toEqual([1.043, 1.021, 1.108, 1.034]);
    expect(m.threads).toBe(1);
    expect(m.protocol).toEqual({ warmupRuns: 5, minRuns: 4, minDurationMs: 0, maxRuns: 4, trials: 1 });
    // The latency pass is the one trial, with the phone's state around it (no guards: nothing refused).
    expect(m.applied).toEqual({ freshProcessTrials: false, referencePaired: false, guards: true, scenario: 'single-stream' });
    expect(m.trials).toHaveLength(1);
    const trial = m.trials![0]!;
    expect(trial).toMatchObject({ latencyMs: m.latencyMs, warmupMs: [], capped: false });
    expect(trial.timedMs).toBeCloseTo(1.043 + 1.021 + 1.108 + 1.034, 9);
    expect(trial.refused).toBeUndefined();
    expect(trial.environment!.after).toMatchObject({
      loadAvg1: null,
      cpu: [],
      thermalC: { battery: 29.1, 'cpu0-silver-usr': 36.8, 'cpu4-gold-usr': 38.2, skin: 31.4 },
      phone: { thermalStatus: 0, batteryTempC: 29.1, charging: false },
    });
    expect(trial.environment!.before.t).toBeLessThanOrEqual(trial.environment!.after.t);
    expect(trial.environment!.ownJiffies).toBeNull();
    expect(trial.environment!.verdict).toEqual({ ok: true, reasons: [] });
    const r = reportOf(run);
    expect(r.taskset).toBe('80');
    expect(r.stateBefore.battery).toMatchObject({ levelPercent: 78, statusName: 'not charging', charging: false, temperatureC: 29.1 });
    expect(r.stateBefore.thermal).toMatchObject({ status: 0, source: 'thermalservice', maxCelsius: 38.2 });
    expect(r.stateAfter.battery.levelPercent).toBe(78);
    expect(r.invocations).toMatchObject({
      count: 4,
      timedRuns: [1, 1, 1, 1],
      warmupRuns: [5, 5, 5, 5],
      warmupAvgUs: [1112.4, 1098.6, 1139, 1097.2],
      initUs: [1927, 1714, 2031, 1802],
    });
    expect(r.lastSummary.inference).toEqual({ count: 1, curr: 1034, allSame: true, requestedRuns: 1 });
    expect(JSON.stringify(r).length).toBeLessThan(65_536);
    expect(run.energy).toBeNull();
    expect(run.energyNote).toMatch(/power=none/);
    expect(run.target).toMatchObject({ kind: 'android', threads: 1, os: 'Android 11' });
    expect(progress.filter((p) => p.phase === 'latency').map((p) => p.done)).toEqual([1, 2, 3, 4]);
    // The job's folder on the phone is gone afterwards.
    expect(await phone.read('/data/local/tmp/lpcv/job-' + String(jobs) + '/model.tflite').catch(() => 'gone')).toBe('gone');
  });

  it.each([
    { track: 'fashion-det', kind: 'detections' },
    { track: 'fashion-seg', kind: 'label-maps' },
  ])("runs a $track job: the runner gets --task and an output folder, read as a package's outputs", async ({ track, kind }) => {
    const t = resolveTrack(track);
    const phoneTrack: Track = {
      ...t,
      formats: ['tflite'],
      protocol: { ...t.protocol, warmupRuns: 1, minRuns: 1, maxRuns: 1, minDurationMs: 0, trials: 1 },
      target: { kind: 'android' },
    };
    const inputs = await openInputs(phoneTrack, 'val');
    const few: InputSet = { ids: inputs.ids.slice(0, 3), read: (i) => inputs.read(i) };
    const j: ContractJob = { ...contractJob(phoneTrack, models.good), inputs: few };
    const m = (await target().run(await toJob(j))).measurement;
    // The stand-in's rule: class = (sum of the pixel bytes) mod 10; a box over the top-left quarter, or every pixel.
    const classes: number[] = [];
    for (let i = 0; i < few.ids.length; i++) classes.push((await few.read(i)).data.reduce((a, b) => a + b, 0) % 10);
    expect(m.predictions.kind).toBe(kind);
    if (m.predictions.kind === 'detections') {
      expect(m.predictions.detections).toEqual(classes.map((c) => [{ box: [0, 0, 64, 64], score: 0.5, classIndex: c }]));
    } else if (m.predictions.kind === 'label-maps') {
      expect(m.predictions.maps.map((map) => [map.width, map.height, new Set(map.data).size, map.data[0]])).toEqual(classes.map((c) => [128, 128, 1, c]));
    }
    const runner = (await phone.shellCalls('/data/local/tmp/lpcv_accuracy_runner'))[0]!;
    expect(runner.slice(runner.indexOf('--task'))).toEqual(['--task', t.task]);

    // Outputs the reader refuses (a box past the edge, maps of the wrong size) are the runner's failure, not the model's.
    const bad = path.join(scratch, `bad-${track}.tflite`);
    await writeFile(bad, Buffer.from('TFL3 stand-in model LPCV-STANDIN-BADOUT'));
    const e = await failure(target().run(await toJob({ ...j, artifact: { ...j.artifact, file: bad } })));
    expect(e.code).toBe('LPCV_E_ANDROID_RUNNER_FAILED');
    expect(e.message).toMatch(/outputs are unusable: LPCV_E_PRED_(MALFORMED|MISMATCH)/);
  });

  it("pins with taskset and passes the track's threads: the exact argv on the phone", async () => {
    await target('?cores=4-7').run(await toJob(contractJob(trackWith(undefined, 2), models.good, 2)));
    const id = jobs;
    const bench = await phone.shellCalls('/data/local/tmp/benchmark_model');
    expect(bench).toHaveLength(2);
    expect(bench[0]).toEqual([
      'taskset',
      'f0',
      '/data/local/tmp/benchmark_model',
      `--graph=/data/local/tmp/lpcv/job-${id}/model.tflite`,
      '--num_threads=2',
      '--warmup_runs=5',
      '--warmup_min_secs=0',
      '--num_runs=1',
      '--min_secs=0',
    ]);
    const runner = await phone.shellCalls('/data/local/tmp/lpcv_accuracy_runner');
    expect(runner).toEqual([
      [
        'taskset',
        'f0',
        '/data/local/tmp/lpcv_accuracy_runner',
        '--model',
        `/data/local/tmp/lpcv/job-${id}/model.tflite`,
        '--inputs',
        `/data/local/tmp/lpcv/job-${id}/inputs`,
        '--output',
        `/data/local/tmp/lpcv/job-${id}/predictions.txt`,
        '--num_threads',
        '2',
      ],
    ]);
  });

  it("the track's cores win over the device spec's", async () => {
    await target('?cores=4-7').run(await toJob(contractJob(trackWith({ cores: '7' }, 1, 1), models.good, 1)));
    expect((await phone.shellCalls('/data/local/tmp/benchmark_model')).map((w) => w.slice(0, 2))).toEqual([['taskset', '80']]);
  });

  it('quotes hostile paths: the phone sees the exact words, and nothing is run by its shell', async () => {
    const workdir = "/data/local/tmp/lpcv it's; $(reboot) `id` & *";
    const benchmark = "/data/local/tmp/bench 'model'";
    await mkdir(path.join(phone.root, 'data/local/tmp'), { recursive: true });
    await writeFile(path.join(phone.root, benchmark), await phone.read('/data/local/tmp/benchmark_model'));
    const run = await target(`?workdir=${encodeURIComponent(workdir)}&benchmark=${encodeURIComponent(benchmark)}`).run(
      await toJob(contractJob(trackWith(), models.good, 3)),
    );
    const id = jobs;
    expect(run.measurement.predictions.ids).toHaveLength(3);
    const bench = await phone.shellCalls(benchmark);
    expect(bench[0]!.slice(0, 2)).toEqual([benchmark, `--graph=${workdir}/job-${id}/model.tflite`]);
    expect(await phone.shellCalls('mkdir')).toEqual([['mkdir', '-p', `${workdir}/job-${id}`]]);
    expect((await phone.calls()).find((c) => c.argv[2] === 'push')?.argv.slice(3)).toEqual([models.good, `${workdir}/job-${id}/model.tflite`]);
  });

  it('refuses a charging phone when the track says so (LPCV_E_ANDROID_CHARGING, infrastructure), before measuring anything', async () => {
    await phone.write('/dumpsys/battery.txt', (await phone.read('/dumpsys/battery.txt')).replace('status: 4', 'status: 2'));
    const e = await failure(target().run(await toJob(contractJob(trackWith({ refuseCharging: true }), models.good))));
    expect(e.code).toBe('LPCV_E_ANDROID_CHARGING');
    expect(e.fault).toBe('infrastructure');
    expect(await phone.shellCalls('/data/local/tmp/benchmark_model')).toEqual([]);
    // Without the track's refusal it runs, and the record says it was charging.
    const run = await target().run(await toJob(contractJob(trackWith(), models.good, 1)));
    expect(reportOf(run).stateBefore.battery.charging).toBe(true);
  });

  it("refuses a hot phone: thermal status or battery temperature above the track's limit (LPCV_E_ANDROID_HOT)", async () => {
    await phone.write('/dumpsys/thermalservice.txt', (await phone.read('/dumpsys/thermalservice.txt')).replace('Thermal Status: 0', 'Thermal Status: 3'));
    const hot = await failure(target().run(await toJob(contractJob(trackWith({ maxThermalStatus: 1 }), models.good))));
    expect(hot.code).toBe('LPCV_E_ANDROID_HOT');
    expect(hot.fault).toBe('infrastructure');
    const warm = await failure(target().run(await toJob(contractJob(trackWith({ maxThermalStatus: 3, maxBatteryTempC: 25 }), models.good))));
    expect(warm.code).toBe('LPCV_E_ANDROID_HOT');
    expect(warm.message).toMatch(/29\.1 °C/);
    expect(await phone.shellCalls('/data/local/tmp/benchmark_model')).toEqual([]);
  });

  it("runs a latency pass the track's guards refuse again, then fails as the infrastructure (LPCV_E_ENVIRONMENT_DISTURBED)", async () => {
    // The fixture phone's hottest HAL sensor is cpu4-gold-usr at 38.2 °C: over 35 after every pass.
    const t = trackWith(undefined, 1, 2);
    const track: Track = { ...t, protocol: { ...t.protocol, guards: { maxTempC: 35, repeats: 1 } } };
    const e = await failure(target().run(await toJob(contractJob(track, models.good, 1))));
    expect(e.code).toBe('LPCV_E_ENVIRONMENT_DISTURBED');
    expect(e.fault).toBe('infrastructure');
    expect(e.detail).toEqual({ attempts: 2, reasons: [0, 1].map(() => ['thermal zone cpu4-gold-usr was at 38.2 °C after the trial, limit 35 °C']) });
    // Two whole passes of two invocations each, and no accuracy run.
    expect(await phone.shellCalls('/data/local/tmp/benchmark_model')).toHaveLength(4);
    expect(await phone.shellCalls('/data/local/tmp/lpcv_accuracy_runner')).toEqual([]);
  });

  it("cools down before the pass on the phone's readings (a fake clock), and records what it waited", async () => {
    const t = trackWith(undefined, 1, 1);
    const track: Track = {
      ...t,
      protocol: { ...t.protocol, guards: { maxTempC: 40, repeats: 0, cooldown: { pauseMs: 30_000, untilTempC: 30, maxWaitMs: 1000 } } },
    };
    const sleeps: number[] = [];
    let now = 0;
    const guardClock = {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    };
    const run = await target('', { guardClock }).run(await toJob(contractJob(track, models.good, 1)));
    // 38.2 °C never reaches 30 °C: the pause, one poll, and the pass runs anyway (38.2 is under maxTempC 40).
    expect(sleeps).toEqual([30_000, 1000]);
    expect(run.measurement.targetReport!.cooldowns).toEqual([{ pausedMs: 30_000, untilTempC: 30, waitedMs: 1000, startC: 38.2, endC: 38.2, reached: false }]);
    expect(run.measurement.trials![0]!.environment!.verdict.ok).toBe(true);
  });

  it('falls back to /sys/class/thermal when thermalservice has no status (older Android)', async () => {
    await phone.remove('/dumpsys/thermalservice.txt');
    const run = await target().run(await toJob(contractJob(trackWith({ maxThermalStatus: 0 }), models.good, 1)));
    expect(reportOf(run).stateBefore.thermal).toEqual({
      status: null,
      overridden: false,
      source: 'sysfs',
      maxCelsius: 38.2,
      temperatures: [
        { name: 'cpu0-silver-usr', celsius: 36.8 },
        { name: 'cpu4-gold-usr', celsius: 38.2 },
        { name: 'battery', celsius: 29.1 },
      ],
    });
  });

  it('replays the newer benchmark_model format (INFO: prefix, percentiles) the same way', async () => {
    const marker = JSON.parse(await phone.read('/data/local/tmp/benchmark_model'));
    marker.outputs = [1, 2, 3].map((n) => `standin/benchmark-outputs/tf2.16/run-${n}.txt`);
    await phone.write('/data/local/tmp/benchmark_model', JSON.stringify(marker));
    const run = await target().run(await toJob(contractJob(trackWith(), models.good, 1)));
    expect(run.measurement.latencyMs).toEqual([0.694, 0.688]);
    expect(reportOf(run).lastSummary.inference.median).toBe(688);
  });

  it('malformed benchmark_model output is LPCV_E_ANDROID_BENCHMARK_OUTPUT', async () => {
    await phone.write('/standin/garbage.txt', 'STARTING!\nSegmentation fault\n');
    await phone.write('/data/local/tmp/benchmark_model', JSON.stringify({ standin: 'benchmark_model', outputs: ['standin/garbage.txt'] }));
    expect((await failure(target().run(await toJob(contractJob(trackWith(), models.good))))).code).toBe('LPCV_E_ANDROID_BENCHMARK_OUTPUT');
  });

  it("a model TFLite cannot run is the submission's fault (LPCV_E_MODEL_RUNTIME); a missing tool is ours", async () => {
    const e = await failure(target().run(await toJob(contractJob(trackWith(), models.fail))));
    expect(e.code).toBe('LPCV_E_MODEL_RUNTIME');
    expect(e.fault).toBe('submission');
    expect(e.message).toMatch(/failed to invoke/);
    const missing = await failure(target('?benchmark=/data/local/tmp/nope').run(await toJob(contractJob(trackWith(), models.good))));
    expect(missing.code).toBe('LPCV_E_ANDROID_TOOL_MISSING');
    expect(missing.message).toMatch(/inaccessible or not found/);
    await phone.remove('/data/local/tmp/lpcv_accuracy_runner');
    expect((await failure(target().run(await toJob(contractJob(trackWith(), models.good))))).code).toBe('LPCV_E_ANDROID_TOOL_MISSING');
  });

  it("adb's device errors each have their code: not found, offline, unauthorized, no adb", async () => {
    const other = new AndroidTarget({ spec: 'adb://SOME-OTHER-PHONE', adbPath: STANDIN_ADB, adbEnv: phone.env });
    expect((await failure(other.probe())).code).toBe('LPCV_E_ANDROID_DEVICE_NOT_FOUND');
    await phone.write('/adb-state', 'offline\n');
    expect((await failure(target().probe())).code).toBe('LPCV_E_ANDROID_DEVICE_OFFLINE');
    await phone.write('/adb-state', 'unauthorized\n');
    const e = await failure(target().run(await toJob(contractJob(trackWith(), models.good))));
    expect(e.code).toBe('LPCV_E_ANDROID_DEVICE_UNAUTHORIZED');
    expect(e.fault).toBe('infrastructure');
    const noAdb = new AndroidTarget({ spec: `adb://${phone.serial}`, adbPath: path.join(scratch, 'no-such-adb') });
    expect((await failure(noAdb.probe())).code).toBe('LPCV_E_ADB_MISSING');
  });

  it('power=battery: energy from current_now x voltage_now over exactly the benchmark_model runs', async () => {
    await phone.write('/sys/class/power_supply/battery/status', 'Discharging\n');
    const run = await target('?power=battery').run(await toJob(contractJob(trackWith(), models.good, 2)));
    expect(run.energy).not.toBeNull();
    // The fixture battery holds still at -412000 µA and 4121000 µV: 0.412 A x 4.121 V.
    expect(run.energy!.avgWatts).toBeCloseTo(0.412 * 4.121, 9);
    expect(run.energy!.source).toBe('android-battery:/sys/class/power_supply/battery');
    expect(run.energy!.joules).toBeCloseTo(0.412 * 4.121 * run.energy!.windowSeconds!, 9);
    expect(run.power!.length).toBeGreaterThanOrEqual(2);
  });

  it('power=battery:<folder> reads that power_supply folder (a phone whose gauge is not called battery)', async () => {
    await cp(path.join(phone.root, 'sys/class/power_supply/battery'), path.join(phone.root, 'sys/class/power_supply/bms'), { recursive: true });
    await phone.write('/sys/class/power_supply/bms/status', 'Discharging\n');
    const t = target(`?power=${encodeURIComponent('battery:/sys/class/power_supply/bms')}`);
    expect(t.capabilities().power).toBe('battery:/sys/class/power_supply/bms');
    const run = await t.run(await toJob(contractJob(trackWith(), models.good, 1)));
    expect(run.energy?.source).toBe('android-battery:/sys/class/power_supply/bms');
    expect(run.energy!.avgWatts).toBeCloseTo(0.412 * 4.121, 9);
  });

  it('power=battery on a phone that is not discharging (on its USB cable): energy null, saying why', async () => {
    const run = await target('?power=battery').run(await toJob(contractJob(trackWith(), models.good, 1)));
    expect(run.energy).toBeNull();
    expect(run.energyNote).toMatch(/LPCV_E_POWER_CHARGING/);
    expect(run.measurement.latencyMs).toHaveLength(2);
  });

  it("a run past the track's time limit is stopped (LPCV_E_MODEL_TIMEOUT)", async () => {
    const t = trackWith();
    const slow: Track = { ...t, limits: { ...t.limits, runTimeoutMs: 1500 } };
    const e = await failure(target().run(await toJob(contractJob(slow, models.slow))));
    expect(e.code).toBe('LPCV_E_MODEL_TIMEOUT');
    expect(e.fault).toBe('submission');
  });
});

describe('the shared target contract', () => {
  let phone: StandinPhone;
  beforeAll(async () => {
    phone = await makeStandinPhone('CONTRACT-PHONE');
  });
  afterAll(async () => phone?.cleanup());
  runTargetContract('Android over the adb stand-in', {
    timeoutMs: 240_000,
    makeTarget: async () => new AndroidTarget({ spec: `adb://${phone.serial}?cores=7&name=contract-phone`, adbPath: STANDIN_ADB, adbEnv: phone.env }),
    goodJob: async () => contractJob(trackWith(), models.good),
    failingJob: async () => contractJob(trackWith(), models.fail),
    slowJob: async () => contractJob(trackWith(), models.slow),
  });
});
