import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLogsOf } from '../targets/run-logs.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import { MIXED_SPECS, syntheticInputs } from '../../harness/datasets/input-pack/testing/synthetic-inputs.js';
import type { InputSet } from '../../harness/datasets/types.js';
import type { Track } from '../../harness/tracks/track.js';
import { writeInputFolder } from '../solution/package-io.js';
import type { TargetJob, TargetRun } from '../targets/target.js';
import { startWt310Standin } from '../power/testing/wt310-standin.js';
import { alive, buildFixturePackage, copyFixtureSys, until, writeBoardTrack } from './testing/board-fixtures.js';
import { HOSTILE_WORDS } from './testing/hostile-words.js';
import { sshdSkipReason, startLoopbackSshd, type LoopbackSshd } from './testing/loopback-sshd.js';
import { SshTarget } from './ssh-target.js';
import { readAllowedCores } from '../environment/process-cpu.js';
import { completionSchema, encodeCompletion } from '../../harness/wire/index.js';

const skip = sshdSkipReason();
const PACKAGE = ['python3', '{package}', '-i', '{inputs}', '-o', '{outputs}'];

describe.skipIf(skip !== undefined)('SshTarget against a real sshd on loopback (the board is this machine)', () => {
  let sshd: LoopbackSshd;
  let scratch: string;
  let sys: string;
  let artifact: TargetJob['artifact'];
  let workdir: string;
  let marker: string;
  let jobs = 0;

  beforeAll(async () => {
    sshd = await startLoopbackSshd();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'lpcv-ssh-target-'));
    sys = await copyFixtureSys(scratch);
    artifact = await buildFixturePackage(scratch);
    // The board's work folder has a name that breaks any command line built without quoting.
    workdir = path.join(scratch, "board work 'dir' $(touch PWNED); x");
    marker = path.join(scratch, 'board-steps.log');
  });
  afterAll(async () => {
    for (const t of opened) await t.close();
    await sshd?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const opened: SshTarget[] = [];
  const target = (extra: Record<string, string> = {}): SshTarget => {
    const t = SshTarget.fromSpec(
      sshd.spec({
        kind: 'ultra96-v2',
        name: 'loopback-u96',
        workdir,
        power: 'hwmon:ir38060,ina226',
        hwmon_root: sys,
        drop_caches_cmd: `echo dropped >> ${marker}`,
        lock_cmd: `echo locked >> ${marker}`,
        unlock_cmd: `echo unlocked >> ${marker}`,
        ...extra,
      }),
    );
    opened.push(t);
    return t;
  };

  const inputs = (): InputSet => syntheticInputs(MIXED_SPECS);

  async function job(track: Track, signal = new AbortController().signal): Promise<TargetJob> {
    jobs += 1;
    const workDir = path.join(scratch, `agent-job-${jobs}`);
    await mkdir(workDir, { recursive: true });
    const set = inputs();
    const pack = { ...set, track: track.name, split: 'test', bytes: 0, close: async () => {} };
    return { jobId: jobs, track, split: 'test', artifact, inputs: pack, signal, log: () => {}, onProgress: () => {}, workDir };
  }

  async function failure(p: Promise<TargetRun>): Promise<LpcvError> {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(LpcvError);
    return e as LpcvError;
  }

  async function runFolders(): Promise<string[]> {
    return existsSync(workdir) ? (await readdir(workdir)).filter((n) => n.startsWith('run-')) : [];
  }

  /** What the fixture package predicts: the sum of each PNG's bytes modulo 3, from the same files written here. */
  async function expectedClasses(): Promise<number[]> {
    const dir = await mkdtemp(path.join(scratch, 'expect-'));
    const names = await writeInputFolder(inputs(), dir);
    return Promise.all(names.map(async (n) => [...(await readFile(path.join(dir, n)))].reduce((a, b) => a + b, 0) % 3));
  }

  it('copies, runs, pulls back: predictions for every input, energy = 7 W x the measured window, the board folder removed', async () => {
    const tags = HOSTILE_WORDS.map((w) => `--tag=${w}`);
    const track = await writeBoardTrack(scratch, 'board-good', {
      target: { command: [...PACKAGE, '--argv-out', 'argv.json', '--time-ms', '12.5', ...tags], dropCaches: true, lockNetwork: true },
    });
    await writeFile(marker, '');
    const t = target();
    const info = await t.probe();
    expect(info.kind).toBe('ultra96-v2');
    expect(info.runtime).toMatch(/^Python 3\.\d+\.\d+ over SSH$/);
    const j = await job(track);
    const run = await t.run(j);
    const m = run.measurement;

    expect(m.predictions.kind).toBe('topk');
    expect(m.predictions.ids).toEqual(MIXED_SPECS.map((s) => s.id));
    if (m.predictions.kind === 'topk') expect(m.predictions.topk.map((r) => r[0])).toEqual(await expectedClasses());

    // The window is the board's clock around the command; one batch, so latency is its per-image share.
    const w = m.wall!;
    expect(w.images).toBe(4);
    expect(w.durationMs).toBeGreaterThan(0);
    expect(w.selfReportedMs).toBe(12.5);
    expect(m.latencyMs).toEqual([w.durationMs / 4]);
    expect(m.protocol).toEqual({ warmupRuns: 0, minRuns: 1, minDurationMs: 0, maxRuns: 1, trials: 1 });

    // One trial: the batch run, with the board's state read around the command (this machine's /proc, the
    // fixture's cpufreq and zones), judged against no guards. No per-run samples are made up for it.
    expect(m.applied).toEqual({ freshProcessTrials: false, referencePaired: false, guards: true, scenario: 'single-stream' });
    expect(m.trials).toHaveLength(1);
    const trial = m.trials![0]!;
    expect(trial).toMatchObject({ latencyMs: m.latencyMs, warmupMs: [], timedMs: w.durationMs, capped: false });
    expect(trial.refused).toBeUndefined();
    const env = trial.environment!;
    const allowed = await readAllowedCores('/proc', 'self');
    expect(env.before.cpu.map((c) => c.core)).toEqual(allowed);
    expect(env.after.thermalC).toEqual({ 'cpu-thermal': 45, 'pl-thermal': 41.5 });
    expect(env.after.cpufreq).toEqual(allowed!.filter((c) => c < 4).map((core) => ({ core, curKHz: 1199999, maxKHz: 1199999, governor: 'performance' })));
    expect(Number.isInteger(env.ownJiffies)).toBe(true);
    expect(env.before.t).toBeLessThanOrEqual(env.after.t);
    expect(env.verdict).toEqual({ ok: true, reasons: [] });

    // The fixture rails hold 4 W (power1_input) + 5 V x 0.6 A: by hand, 7 W over the window.
    expect(run.energy).not.toBeNull();
    expect(run.energy!.source).toBe('hwmon:ir38060/pout1+ina226/in1');
    expect(run.energy!.joules).toBeCloseTo(7 * (w.durationMs / 1000), 9);
    expect(run.energy!.avgWatts).toBeCloseTo(7, 9);
    expect(run.energy!.windowSeconds).toBeCloseTo(w.durationMs / 1000, 12);
    const samples = run.power!;
    expect(samples[0]!.t).toBeLessThanOrEqual(0);
    expect(samples[samples.length - 1]!.t).toBeGreaterThanOrEqual(w.durationMs);

    const r = m.targetReport!;
    expect(r).toMatchObject({ exitCode: 0, dropCaches: true, networkLocked: true, ownProcessGroup: true, remoteCleanedUp: true });
    expect(r.clock).toMatch(/date \+%s%N/);
    expect(await readFile(marker, 'utf8')).toBe('dropped\nlocked\nunlocked\n');

    // Every hostile word reached the package as one argument, and the paths with quotes in them too.
    const argv = r.command as string[];
    const runDir = argv[1]!.slice(0, -'/solution.pyz'.length);
    expect(runDir.startsWith(`${workdir}/run-`)).toBe(true);
    expect(argv.slice(2, 6)).toEqual(['-i', `${runDir}/inputs`, '-o', `${runDir}/outputs`]);
    const echoed = JSON.parse(await readFile(path.join(j.workDir, 'ssh-back', 'outputs', 'argv.json'), 'utf8')) as string[];
    expect(echoed.slice(1)).toEqual(argv.slice(2));
    expect(echoed.slice(-tags.length)).toEqual(tags);
    expect(existsSync(path.join(scratch, 'PWNED')) || existsSync(path.join(workdir, 'PWNED'))).toBe(false);

    expect(existsSync(runDir)).toBe(false);
    expect(await runFolders()).toEqual([]);
  });

  it('without a power sensor (power=none) energy is null with a note saying why', async () => {
    const track = await writeBoardTrack(scratch, 'board-nopower', { target: { command: PACKAGE } });
    const t = SshTarget.fromSpec(sshd.spec({ kind: 'ultra96-v2', workdir }));
    opened.push(t);
    const ok = await t.run(await job(track));
    expect(ok.energy).toBeNull();
    expect(ok.energyNote).toMatch(/power=none/);
    expect(ok.power).toBeUndefined();
    expect(ok.measurement.targetReport).toMatchObject({ dropCaches: false, networkLocked: false });
  });

  it('power=scpi://: a meter on the board supply read from this host, its samples placed on the board window: energy = 6.5 W x the window', async () => {
    const meter = await startWt310Standin({ values: [6.5] });
    try {
      const track = await writeBoardTrack(scratch, 'board-meter', { target: { command: PACKAGE } });
      const t = SshTarget.fromSpec(sshd.spec({ kind: 'raspberry-pi', workdir, power: `scpi://127.0.0.1:${meter.port}`, period_ms: '20' }));
      opened.push(t);
      expect(t.capabilities()).toMatchObject({ power: `scpi://127.0.0.1:${meter.port}`, powerPeriodMs: 20 });
      await t.probe();
      expect(meter.received.slice(0, 1)).toEqual(['*IDN?']); // opened and probed with the board
      const run = await t.run(await job(track));
      const w = run.measurement.wall!;
      expect(run.energy).not.toBeNull();
      expect(run.energyNote).toBeUndefined();
      expect(run.energy!.source).toBe(`scpi:WT310@127.0.0.1:${meter.port}`);
      expect(run.energy!.windowSeconds).toBeCloseTo(w.durationMs / 1000, 12);
      expect(run.energy!.joules).toBeCloseTo(6.5 * (w.durationMs / 1000), 9);
      // The samples, on the board window's frame, cover it on both sides; the placement is reported.
      const samples = run.power!;
      expect(samples[0]!.t).toBeLessThanOrEqual(0);
      expect(samples[samples.length - 1]!.t).toBeGreaterThanOrEqual(w.durationMs);
      const clock = run.measurement.targetReport!.meterClock as { syncRoundTripMs: number; uncertaintyMs: number };
      expect(clock.syncRoundTripMs).toBeGreaterThan(0);
      expect(clock.uncertaintyMs).toBeGreaterThanOrEqual(0);
      expect(clock.uncertaintyMs).toBeLessThanOrEqual(clock.syncRoundTripMs / 2 + 1e-6);
      expect(await runFolders()).toEqual([]);
    } finally {
      await meter.close();
    }
  });

  it('power=scpi://: no meter at the address stops the probe (LPCV_E_POWER_NO_SENSOR); one that hangs up fails the run as the infrastructure, folder removed', async () => {
    const gone = await startWt310Standin({ values: [1] });
    await gone.close();
    const none = SshTarget.fromSpec(sshd.spec({ kind: 'raspberry-pi', workdir, power: `scpi://127.0.0.1:${gone.port}` }));
    opened.push(none);
    expect((await failure(none.probe() as unknown as Promise<TargetRun>)).code).toBe('LPCV_E_POWER_NO_SENSOR');

    // The open probe and the run's first reading are answered; the meter hangs up at the next query.
    const meter = await startWt310Standin({ values: [5], after: { count: 2, then: 'hangup' } });
    try {
      const track = await writeBoardTrack(scratch, 'board-meter-hangup', { target: { command: PACKAGE } });
      const t = SshTarget.fromSpec(sshd.spec({ kind: 'raspberry-pi', workdir, power: `scpi://127.0.0.1:${meter.port}`, period_ms: '20' }));
      opened.push(t);
      const e = await failure(t.run(await job(track)));
      expect(e.code).toBe('LPCV_E_POWER_READ');
      expect(e.fault).toBe('infrastructure');
      expect(await runFolders()).toEqual([]);
    } finally {
      await meter.close();
    }
  });

  it('runs a board run the guards refuse again, whole, and fails as the infrastructure after 1 + repeats refusals', async () => {
    // The fixture's hottest zone is cpu-thermal at 45 °C: over a limit of 40, every time.
    const track = await writeBoardTrack(scratch, 'board-too-hot', { target: { command: PACKAGE }, protocol: { guards: { maxTempC: 40, repeats: 1 } } });
    const lines: string[] = [];
    const j = await job(track);
    const e = await failure(target().run({ ...j, log: (l) => lines.push(l) }));
    expect(e.code).toBe('LPCV_E_ENVIRONMENT_DISTURBED');
    expect(e.fault).toBe('infrastructure');
    expect(e.message).toMatch(/^the run on loopback-u96: the environment guards refused all 2 attempt\(s\)/);
    expect(e.detail).toEqual({ attempts: 2, reasons: [0, 1].map(() => ['thermal zone cpu-thermal was at 45 °C after the trial, limit 40 °C']) });
    expect(lines.filter((l) => l.startsWith('running on ')).length).toBe(2);
    expect(await runFolders()).toEqual([]);
  });

  it("keeps the refused run in the record and measures with the accepted one; a cooldown waits on the board's zones", async () => {
    // Its own sys tree: the command sets the zone's temperature, 90 °C on the first run and 30 °C on the next.
    const own = await copyFixtureSys(await mkdtemp(path.join(scratch, 'sys-')));
    const temp = path.join(own, 'class', 'thermal', 'thermal_zone0', 'temp');
    await writeFile(temp, '30000\n');
    const flip = 'python3 "$1" -i "$2" -o "$3" && if [ "$(cat "$4")" = 90000 ]; then echo 30000 > "$4"; else echo 90000 > "$4"; fi';
    const track = await writeBoardTrack(scratch, 'board-hot-once', {
      target: { command: ['sh', '-c', flip, 'sh', '{package}', '{inputs}', '{outputs}', temp] },
      protocol: { guards: { maxTempC: 80, repeats: 2, cooldown: { pauseMs: 10, untilTempC: 60, maxWaitMs: 1500 } } },
    });
    const t = SshTarget.fromSpec(sshd.spec({ kind: 'ultra96-v2', name: 'loopback-u96', workdir, power: 'hwmon:ir38060,ina226', hwmon_root: own }));
    opened.push(t);
    const run = await t.run(await job(track));
    const m = run.measurement;
    const trial = m.trials![0]!;
    expect(trial.environment!.verdict).toEqual({ ok: true, reasons: [] });
    expect(trial.environment!.after.thermalC['cpu-thermal']).toBe(30);
    expect(trial.refused).toHaveLength(1);
    expect(trial.refused![0]!.verdict.reasons).toEqual(['thermal zone cpu-thermal was at 90 °C after the trial, limit 80 °C']);
    expect(trial.refused![0]!.before.thermalC['cpu-thermal']).toBe(30);
    expect(m.predictions.ids).toEqual(MIXED_SPECS.map((s) => s.id));
    // Before the first run the board's hottest zone was pl-thermal at 41.5 °C (no wait); before the second at 90 °C: it waited the whole
    // 1.5 s for 60 °C, which never came, and ran anyway (maxTempC judged it).
    const cooldowns = m.targetReport!.cooldowns as { pausedMs: number; reached: boolean; startC: number; endC: number; waitedMs: number }[];
    expect(cooldowns).toHaveLength(2);
    expect(cooldowns[0]).toMatchObject({ pausedMs: 10, untilTempC: 60, startC: 41.5, endC: 41.5, reached: true });
    expect(cooldowns[1]).toMatchObject({ pausedMs: 10, untilTempC: 60, startC: 90, endC: 90, reached: false });
    expect(cooldowns[1]!.waitedMs).toBeGreaterThanOrEqual(1500);
    // The agent can send it: the wire's strict completion schema takes the trial, its environment and the refused run.
    const now = new Date().toISOString();
    const sent = completionSchema.safeParse(JSON.parse(JSON.stringify(encodeCompletion(run, { startedAt: now, finishedAt: now }))));
    expect(sent.error?.issues ?? []).toEqual([]);
    expect(await runFolders()).toEqual([]);
  });

  it("reports a failing command with the submission's code, still unlocks the network and removes the folder", async () => {
    const track = await writeBoardTrack(scratch, 'board-fail', { target: { command: [...PACKAGE, '--mode', 'fail'], lockNetwork: true } });
    await writeFile(marker, '');
    const e = await failure(target().run(await job(track)));
    expect(e.code).toBe('LPCV_E_BOARD_COMMAND_FAILED');
    expect(e.fault).toBe('submission');
    expect(e.message).toMatch(/exited with status 3: fixture package: failing on purpose/);
    // The command's stderr goes with the failure, for the team's status page.
    expect(runLogsOf(e)?.stderr).toEqual({ text: expect.stringContaining('fixture package: failing on purpose') as string, truncated: false });
    expect(await readFile(marker, 'utf8')).toBe('locked\nunlocked\n');
    expect(await runFolders()).toEqual([]);
  });

  it('kills the command and its children at the track time limit (LPCV_E_MODEL_TIMEOUT)', async () => {
    const pidfile = path.join(scratch, 'timeout.pids');
    const track = await writeBoardTrack(scratch, 'board-timeout', {
      runTimeoutMs: 3000,
      target: { command: [...PACKAGE, '--mode', 'sleep', '--pidfile', pidfile] },
    });
    const e = await failure(target().run(await job(track)));
    expect(e.code).toBe('LPCV_E_MODEL_TIMEOUT');
    expect(e.fault).toBe('submission');
    const pids = readFileSync(pidfile, 'utf8').trim().split(' ').map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(await runFolders()).toEqual([]);
  });

  it('abort kills the remote process and its children (LPCV_E_RUN_CANCELLED), unlocks, and removes the folder', async () => {
    const pidfile = path.join(scratch, 'abort.pids');
    const track = await writeBoardTrack(scratch, 'board-abort', {
      target: { command: [...PACKAGE, '--mode', 'sleep', '--pidfile', pidfile], lockNetwork: true },
    });
    await writeFile(marker, '');
    const abort = new AbortController();
    const running = target().run(await job(track, abort.signal));
    await until(() => existsSync(pidfile), 'the package to start on the board');
    const pids = readFileSync(pidfile, 'utf8').trim().split(' ').map(Number);
    for (const pid of pids) expect(alive(pid), `pid ${pid} before the abort`).toBe(true);
    abort.abort();
    const e = await failure(running);
    expect(e.code).toBe('LPCV_E_RUN_CANCELLED');
    for (const pid of pids) expect(alive(pid), `pid ${pid} after the abort`).toBe(false);
    expect(await readFile(marker, 'utf8')).toBe('locked\nunlocked\n');
    expect(await runFolders()).toEqual([]);
  });

  it("blames the infrastructure when a harness step hangs before the command starts (the host's own deadline)", async () => {
    const track = await writeBoardTrack(scratch, 'board-hung-step', { runTimeoutMs: 1000, target: { command: PACKAGE, dropCaches: true } });
    const t = SshTarget.fromSpec(sshd.spec({ kind: 'ultra96-v2', workdir, drop_caches_cmd: 'exec sleep 20' }), { hostGraceMs: 1000 });
    try {
      const e = await failure(t.run(await job(track)));
      expect(e.code).toBe('LPCV_E_SSH_REMOTE');
      expect(e.fault).toBe('infrastructure');
      expect(e.message).toMatch(/did not start the command/);
      expect(await runFolders()).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('refuses to copy back more output than the board allows (the submission fault), and removes the folder', async () => {
    const track = await writeBoardTrack(scratch, 'board-big-output', { target: { command: [...PACKAGE, '--junk-bytes', '3000000'] } });
    const t = new SshTarget(target().spec, { maxOutputBytes: 1_000_000 });
    opened.push(t);
    const j = await job(track);
    const e = await failure(t.run(j));
    expect(e.code).toBe('LPCV_E_BOARD_OUTPUT_TOO_LARGE');
    expect(e.fault).toBe('submission');
    expect(e.detail?.outputsKiB).toBeGreaterThanOrEqual(2900);
    expect(existsSync(path.join(j.workDir, 'ssh-back', 'outputs'))).toBe(false);
    expect(await runFolders()).toEqual([]);
  });

  it('refuses a board whose host key is unknown, before anything is copied', async () => {
    const empty = path.join(scratch, 'known_hosts.empty');
    await writeFile(empty, '');
    const other = path.join(scratch, 'never-created');
    const t = SshTarget.fromSpec(sshd.spec({ kind: 'ultra96-v2', workdir: other, known_hosts: empty }));
    opened.push(t);
    const track = await writeBoardTrack(scratch, 'board-hostkey', { target: { command: PACKAGE } });
    expect((await failure(t.probe() as unknown as Promise<TargetRun>)).code).toBe('LPCV_E_SSH_HOST_KEY');
    const e = await failure(t.run(await job(track)));
    expect(e.code).toBe('LPCV_E_SSH_HOST_KEY');
    expect(e.fault).toBe('infrastructure');
    expect(existsSync(other)).toBe(false);
  });

  it('refuses a track that locks the network on a board without lock commands (LPCV_E_SSH_CONFIG)', async () => {
    const track = await writeBoardTrack(scratch, 'board-nolock', { target: { command: PACKAGE, lockNetwork: true } });
    const t = SshTarget.fromSpec(sshd.spec({ kind: 'ultra96-v2', workdir }));
    const e = await failure(t.run(await job(track)));
    expect(e.code).toBe('LPCV_E_SSH_CONFIG');
    expect((await stat(scratch)).isDirectory()).toBe(true);
  });
});
