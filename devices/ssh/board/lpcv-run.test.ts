import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBoardResult } from '../board-run.js';
import { boardTrialEnvironment, parseBoardSnapshot, parseHarnessJiffies } from '../board-environment.js';
import { readAllowedCores } from '../../environment/process-cpu.js';
import { shellQuote } from '../../targets/shell-quote.js';
import { alive, aliveInSession, until } from '../testing/board-fixtures.js';

const RUNNER = fileURLToPath(new URL('./lpcv-run.sh', import.meta.url));
const ENV_FIXTURES = fileURLToPath(new URL('../../environment/fixtures', import.meta.url));
const SHELLS = ['/bin/dash', '/bin/bash'].filter((s) => existsSync(s));

/**
 * The board-side runner run directly by each local POSIX shell (no SSH in between): what it does on a
 * board's sh, dash or bash. The SSH-level tests (ssh-target.test.ts) run it through a real sshd.
 */
describe.each(SHELLS)('board/lpcv-run.sh under %s', (shell) => {
  let scratch: string;
  let runs = 0;
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'lpcv-runner-'));
  });
  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  async function runDir(config: Record<string, string>, powerFiles: string[] = []): Promise<string> {
    runs += 1;
    const dir = path.join(scratch, `run ${runs} 'q'`);
    await mkdir(path.join(dir, 'meta'), { recursive: true });
    await copyFile(RUNNER, path.join(dir, 'lpcv-run.sh'));
    await writeFile(
      path.join(dir, 'meta', 'config'),
      Object.entries(config)
        .map(([k, v]) => `${k}=${shellQuote(v)}\n`)
        .join(''),
    );
    await writeFile(path.join(dir, 'meta', 'power-files'), powerFiles.map((f) => `${f}\n`).join(''));
    return dir;
  }

  const run = (dir: string, argv: string[], env: Record<string, string> = {}) =>
    execa(shell, [path.join(dir, 'lpcv-run.sh'), 'run', dir, '--', ...argv], { stdin: 'ignore', reject: false, env: { ...process.env, ...env } });

  it('times the command on the board clock, with power readings on both sides of the window', async () => {
    const power = path.join(scratch, 'power1_input');
    await writeFile(power, '2500000\n');
    const dir = await runDir({ PERIOD_MS: '20' }, [power]);
    const r = await run(dir, ['sh', '-c', 'sleep 0.3; echo out; echo err >&2; exit 4']);
    expect(r.exitCode).toBe(0);
    const res = parseBoardResult(r.stdout);
    expect(res).toMatchObject({ status: 4, clock: 'realtime-ns', timedOut: false, killed: false, dropped: false, network: 'none', ownGroup: true });
    // The window holds the command's 0.3 s sleep (a lower bound: the clock cannot run slow).
    expect(Number(res.endNs - res.startNs)).toBeGreaterThanOrEqual(300_000_000);
    const lines = (await readFile(path.join(dir, 'meta', 'power.tsv'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(lines.every((l) => l.length === 2 && l[1] === '2500000')).toBe(true);
    const times = lines.map((l) => BigInt(l[0]!));
    expect(times[0]! <= res.startNs).toBe(true);
    expect(times[times.length - 1]! >= res.endNs).toBe(true);
    expect(await readFile(path.join(dir, 'meta', 'stdout.tail'), 'utf8')).toBe('out\n');
    expect(await readFile(path.join(dir, 'meta', 'stderr.tail'), 'utf8')).toBe('err\n');
  });

  it('kills the whole process group at TIMEOUT_MS, children included', async () => {
    const dir = await runDir({ TIMEOUT_MS: '400' });
    const pids = path.join(scratch, `timeout-${runs}.pids`);
    const r = await run(dir, ['sh', '-c', `sleep 600 & echo "$$ $!" > ${shellQuote(pids)}; wait`]);
    expect(r.exitCode).toBe(0);
    const res = parseBoardResult(r.stdout);
    expect(res.timedOut).toBe(true);
    expect(res.status).toBe(137);
    // Nothing of the command's session (setsid) can run any more. The command names its pids only once its
    // shell has started: on a machine loaded enough to delay that past TIMEOUT_MS there are none to name,
    // and the session holds the answer alone.
    const sid = Number(readFileSync(path.join(dir, 'meta', 'cmd.pid'), 'utf8'));
    expect(aliveInSession(sid)).toEqual([]);
    const named = existsSync(pids) ? readFileSync(pids, 'utf8').trim().split(' ').map(Number) : [];
    for (const pid of named) expect(alive(pid), `pid ${pid}`).toBe(false);
  });

  it('`kill` mode stops a running command (as the host does on abort), and the run still reports', async () => {
    const dir = await runDir({});
    const pids = path.join(scratch, `kill-${runs}.pids`);
    const running = run(dir, ['sh', '-c', `sleep 600 & echo "$$ $!" > ${shellQuote(pids)}; wait`]);
    await until(() => existsSync(pids), 'the command to start');
    const k = await execa(shell, [path.join(dir, 'lpcv-run.sh'), 'kill', dir], { stdin: 'ignore', reject: false });
    expect(k.exitCode).toBe(0);
    expect(k.stdout).toBe('killed');
    const r = await running;
    expect(parseBoardResult(r.stdout)).toMatchObject({ killed: true, timedOut: false, status: 137 });
    for (const pid of readFileSync(pids, 'utf8').trim().split(' ').map(Number)) expect(alive(pid), `pid ${pid}`).toBe(false);
  });

  it('drops the page cache and locks/unlocks around the command; a failed step is its own exit status', async () => {
    const steps = path.join(scratch, `steps-${runs}.log`);
    const q = shellQuote(steps);
    const ok = await runDir({
      DROP_CACHES: '1',
      DROP_CACHES_CMD: `echo drop >> ${q}`,
      LOCK: '1',
      LOCK_CMD: `echo lock >> ${q}`,
      UNLOCK_CMD: `echo unlock >> ${q}`,
    });
    const r = await run(ok, ['sh', '-c', `echo command >> ${q}`]);
    expect(parseBoardResult(r.stdout)).toMatchObject({ status: 0, dropped: true, network: 'unlocked' });
    expect(await readFile(steps, 'utf8')).toBe('drop\nlock\ncommand\nunlock\n');

    // Given up while a step hangs: the runner stops after that step, with the network unlocked, and the
    // command never starts.
    await writeFile(steps, '');
    const goFile = path.join(scratch, `go-${runs}`);
    const go = shellQuote(goFile);
    const hung = await runDir({
      DROP_CACHES: '1',
      DROP_CACHES_CMD: `until [ -e ${go} ]; do sleep 0.05; done; echo drop >> ${q}`,
      LOCK: '1',
      LOCK_CMD: `echo lock >> ${q}`,
      UNLOCK_CMD: `echo unlock >> ${q}`,
    });
    const stuck = run(hung, ['sh', '-c', `echo command >> ${q}`]);
    expect((await execa(shell, [path.join(hung, 'lpcv-run.sh'), 'kill', hung], { stdin: 'ignore' })).stdout).toBe('not-started');
    await writeFile(goFile, '');
    const given = await stuck;
    expect(given.exitCode).toBe(7);
    expect(await readFile(steps, 'utf8')).toBe('drop\n');

    const badDrop = await run(await runDir({ DROP_CACHES: '1', DROP_CACHES_CMD: 'echo no permission >&2; exit 1' }), ['true']);
    expect(badDrop.exitCode).toBe(3);
    expect(badDrop.stderr).toMatch(/lpcv-run: the page-cache command failed \(exit 1\): no permission/);

    await writeFile(steps, '');
    const badLock = await run(await runDir({ LOCK: '1', LOCK_CMD: `echo half-locked >> ${q}; exit 2`, UNLOCK_CMD: `echo unlock >> ${q}` }), ['true']);
    expect(badLock.exitCode).toBe(4);
    // A lock that failed half-way is undone all the same.
    expect(await readFile(steps, 'utf8')).toBe('half-locked\nunlock\n');
  });

  it('writes an empty value for a power file it cannot read (the host refuses it), and falls back to /proc/uptime without date +%N', async () => {
    const dir = await runDir({}, [path.join(scratch, 'no-such-power1_input')]);
    const gone = await run(dir, ['true']);
    expect(gone.exitCode).toBe(0);
    const lines = (await readFile(path.join(dir, 'meta', 'power.tsv'), 'utf8')).split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.every((l) => /^\d+\t$/.test(l))).toBe(true);

    const bin = path.join(scratch, 'busybox-like-bin');
    await mkdir(bin, { recursive: true });
    await writeFile(path.join(bin, 'date'), '#!/bin/sh\necho 1733000000N\n');
    await chmod(path.join(bin, 'date'), 0o755);
    const r = await run(await runDir({}), ['sleep', '0.05'], { PATH: `${bin}:${process.env.PATH ?? ''}` });
    const res = parseBoardResult(r.stdout);
    expect(res.clock).toBe('proc-uptime');
    expect(res.endNs - res.startNs).toBeGreaterThanOrEqual(0n);
    expect(res.startNs % 10_000_000n).toBe(0n);
  });
  it("reads the board state just before and after the command, and `times` around it gives the command's CPU time", async () => {
    const dir = await runDir({ ENVIRONMENT: '1', ENV_SYS: path.join(ENV_FIXTURES, 'jetson-nano', 'sys') });
    // The command spends 0.3 s of CPU time by its own account (process_time), however long that takes here.
    const r = await run(dir, ['python3', '-c', 'import time\nwhile time.process_time() < 0.3: pass']);
    const res = parseBoardResult(r.stdout);
    expect(res.status).toBe(0);
    const meta = (f: string): Promise<string> => readFile(path.join(dir, 'meta', f), 'utf8');
    const env = boardTrialEnvironment(
      {
        envBefore: await meta('env-before'),
        envAfter: await meta('env-after'),
        timesBefore: await meta('times-before'),
        timesAfter: await meta('times-after'),
      },
      undefined,
    )!;
    // times(2) counts whole ticks of user and system time apart: at most one lost from each.
    expect(env.ownJiffies).toBeGreaterThanOrEqual(28);
    // The readings bracket the window on the same clock (ms, truncated).
    expect(env.before.t).toBeLessThanOrEqual(Number(res.startNs / 1_000_000n));
    expect(env.after.t).toBeGreaterThanOrEqual(Number(res.endNs / 1_000_000n) - 1);
    // The cores the command could run on (the runner's affinity, this process's), read from the real /proc/stat.
    const allowed = await readAllowedCores('/proc', 'self');
    expect(env.before.cpu.map((c) => c.core)).toEqual(allowed);
    expect(env.after.cpu.map((c) => c.core)).toEqual(allowed);
    for (let i = 0; i < env.after.cpu.length; i++) expect(env.after.cpu[i]!.totalJiffies).toBeGreaterThanOrEqual(env.before.cpu[i]!.totalJiffies);
    expect(env.after.loadAvg1).toBeGreaterThanOrEqual(0);
    // cpufreq and the zones from the fixture tree.
    expect(env.after.cpufreq).toEqual(allowed!.filter((c) => c < 4).map((core) => ({ core, curKHz: 1479000, maxKHz: 1479000, governor: 'schedutil' })));
    expect(env.after.thermalC).toEqual({ 'AO-therm': 36.5, 'CPU-therm': 38.5, 'GPU-therm': 36, 'PLL-therm': 35.25, 'PMIC-Die': 100, 'thermal-fan-est': 37.2 });
    expect(env.verdict).toEqual({ ok: true, reasons: [] });
  });

  it('`env` mode prints one reading (a Pi 4 tree: its proc and sys), and leaves out what the board does not have', async () => {
    const dir = await runDir({ ENV_SYS: path.join(ENV_FIXTURES, 'rpi4', 'sys'), ENV_PROC: path.join(ENV_FIXTURES, 'rpi4', 'proc') });
    const t0 = Date.now();
    const r = await execa(shell, [path.join(dir, 'lpcv-run.sh'), 'env', dir], { stdin: 'ignore' });
    const s = parseBoardSnapshot(r.stdout)!;
    expect(s.t).toBeGreaterThanOrEqual(t0 - 1000);
    expect(s).toMatchObject({
      loadAvg1: 0.08,
      cpufreq: [0, 1, 2, 3].map((core) => ({ core, curKHz: 1500000, maxKHz: 1500000, governor: 'ondemand' })),
      thermalC: { 'cpu-thermal': 47.238 },
    });
    expect(s.cpu.map((c) => c.core)).toEqual([0, 1, 2, 3]);
    expect(s.cpu[0]).toEqual({ core: 0, busyJiffies: 15189, totalJiffies: 735324 });

    const bare = await runDir({ ENV_SYS: path.join(scratch, 'no-sys'), ENV_PROC: path.join(scratch, 'no-proc') });
    const b = await execa(shell, [path.join(bare, 'lpcv-run.sh'), 'env', bare], { stdin: 'ignore' });
    expect(b.stderr).toBe('');
    expect(parseBoardSnapshot(b.stdout)).toEqual({ t: expect.any(Number), loadAvg1: null, cpu: [], cpufreq: [], thermalC: {} });

    // Without date +%N (busybox), the reading's time is date +%s.
    const bin = path.join(scratch, 'busybox-like-date');
    await mkdir(bin, { recursive: true });
    await writeFile(path.join(bin, 'date'), '#!/bin/sh\ncase "$1" in +%s) echo 1733000000 ;; *) echo 1733000000N ;; esac\n');
    await chmod(path.join(bin, 'date'), 0o755);
    const old = await execa(shell, [path.join(bare, 'lpcv-run.sh'), 'env', bare], {
      stdin: 'ignore',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
    });
    expect(parseBoardSnapshot(old.stdout)?.t).toBe(1733000000000);
  });

  it("records the power loop's CPU time in the readings while it runs", async () => {
    const power = path.join(scratch, `harness-power-${runs}`);
    await writeFile(power, '1000000\n');
    const dir = await runDir({ ENVIRONMENT: '1', ENV_SYS: path.join(scratch, 'no-sys'), PERIOD_MS: '10' }, [power]);
    expect((await run(dir, ['sleep', '0.3'])).exitCode).toBe(0);
    const before = parseHarnessJiffies(await readFile(path.join(dir, 'meta', 'env-before'), 'utf8'));
    const after = parseHarnessJiffies(await readFile(path.join(dir, 'meta', 'env-after'), 'utf8'));
    expect(Number.isInteger(before) && Number.isInteger(after)).toBe(true);
    expect(after!).toBeGreaterThanOrEqual(before!);
    // Without a power loop there is no such line.
    const none = await runDir({ ENVIRONMENT: '1', ENV_SYS: path.join(scratch, 'no-sys') });
    await run(none, ['true']);
    expect(parseHarnessJiffies(await readFile(path.join(none, 'meta', 'env-after'), 'utf8'))).toBeNull();
  });

  it('reads no state unless asked (ENVIRONMENT=0, as before)', async () => {
    const dir = await runDir({});
    expect((await run(dir, ['true'])).exitCode).toBe(0);
    expect(existsSync(path.join(dir, 'meta', 'env-before'))).toBe(false);
    expect(existsSync(path.join(dir, 'meta', 'env-after'))).toBe(false);
  });
});
