import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MIXED_SPECS, syntheticInputs } from '../../harness/datasets/input-pack/testing/synthetic-inputs.js';
import { buildFixturePackage, type FixturePackage } from './testing/build-package.js';
import { alive, BWRAP, hostProcessesWith, survivorsOf, sandboxPidNamespace, SKIP_BWRAP, type HeldPidNamespace } from './testing/sandbox-probes.js';
import type { SandboxInit } from './sandbox-init.js';
import { writeInputFolder } from './package-io.js';
import { runSandboxed, type SandboxRun } from './run-sandboxed.js';
import { INFO_FD, SANDBOX_PATHS, sandboxCommand, type SandboxLimits } from './sandbox.js';
import { makeStage, sandboxUser, stagePackage, type Stage } from './stage.js';

const MIB = 1024 * 1024;
const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe('sandboxCommand: the argument array', () => {
  const paths = { inputDir: '/s/in put;$(id)', outputDir: '/s/out`x`', packageFile: "/s/p'kg.pyz", supervisorFile: '/s/supervisor.py' };
  const limits: SandboxLimits = { memoryBytes: 512 * MIB, maxProcesses: 32, tmpBytes: 16 * MIB, outputBytes: 64 * MIB, maxOutputFiles: 1000 };
  const argsOf = (extra: Partial<Parameters<typeof sandboxCommand>[0]> = {}) =>
    sandboxCommand({ paths, limits, python: '/usr/bin/python3', bwrap: '/usr/bin/bwrap', ...extra });
  const pairs = (args: readonly string[], flag: string): string[][] => args.flatMap((a, i) => (a === flag ? [[args[i + 1], args[i + 2]]] : []));

  it('isolates everything: all namespaces, no capabilities, a cleared environment, dies with the harness, no terminal', () => {
    const { file, args } = argsOf();
    expect(file).toBe('/usr/bin/bwrap');
    for (const flag of ['--unshare-all', '--unshare-user', '--die-with-parent', '--new-session', '--clearenv']) expect(args).toContain(flag);
    expect(args[args.indexOf('--cap-drop') + 1]).toBe('ALL');
    // bwrap names the sandbox's pid 1 there: the run ends when that process has exited.
    expect(args[args.indexOf('--info-fd') + 1]).toBe(String(INFO_FD));
    expect(args).not.toContain('--share-net');
    expect(pairs(args, '--remount-ro').map(([p]) => p)).toEqual(['/dev', '/']);
  });

  it('binds only the output folder writable; inputs, package and supervisor read-only; host paths pass as single arguments, unquoted', () => {
    const { args } = argsOf();
    expect(pairs(args, '--bind')).toEqual([[paths.outputDir, SANDBOX_PATHS.output]]);
    const ro = pairs(args, '--ro-bind');
    expect(ro).toContainEqual([paths.inputDir, SANDBOX_PATHS.input]);
    expect(ro).toContainEqual([paths.packageFile, SANDBOX_PATHS.package]);
    expect(ro).toContainEqual([paths.supervisorFile, SANDBOX_PATHS.supervisor]);
    expect(ro).toContainEqual(['/usr', '/usr']);
    // Nothing else of the host: every bind source is /usr, /etc/<loader or python file>, a system dir, or ours.
    const sources = [...ro, ...pairs(args, '--ro-bind-try')].map(([src]) => src);
    for (const src of sources) {
      expect(src === '/usr' || /^\/(etc\/(ld\.so\.|alternatives|localtime|python3)|s\/|s$|bin|sbin|lib)/.test(src), src).toBe(true);
    }
    expect(sources.some((s) => s.includes('passwd') || s.includes('resolv') || s.includes('hosts'))).toBe(false);
  });

  it('sizes /tmp and /dev/shm, and hands the limits and the 2023 command line to the supervisor', () => {
    const { args } = argsOf();
    const tmpfs = args.flatMap((a, i) => (a === '--tmpfs' ? [[args[i - 2], args[i - 1], args[i + 1]]] : []));
    expect(tmpfs).toEqual([
      ['--size', String(16 * MIB), '/dev/shm'],
      ['--size', String(16 * MIB), '/tmp'],
    ]);
    const config = JSON.parse(args[args.length - 1]) as Record<string, unknown>;
    expect(config).toMatchObject({
      argv: ['/usr/bin/python3', '/submission/solution.pyz', '-i', '/input', '-o', '/output'],
      memoryBytes: 512 * MIB,
      maxProcesses: 32,
    });
    expect(args.slice(args.indexOf('--') + 1, -1)).toEqual(['/usr/bin/python3', '-I', '-S', SANDBOX_PATHS.supervisor, '3']);
  });

  it('starts bwrap through setpriv as the unprivileged uid when told to (the harness runs as root)', () => {
    const { file, args } = argsOf({ dropTo: { uid: 65534, gid: 65534, setpriv: '/usr/bin/setpriv' } });
    expect(file).toBe('/usr/bin/setpriv');
    expect(args.slice(0, 7)).toEqual(['--reuid', '65534', '--regid', '65534', '--clear-groups', '--', '/usr/bin/bwrap']);
  });

  it('mirrors the host: /bin and /lib* links stay links, real folders are bound read-only, /etc/python3.* comes along', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'lpcv-hostroot-'));
    try {
      await mkdir(path.join(root, 'usr/bin'), { recursive: true });
      await mkdir(path.join(root, 'lib64'));
      await mkdir(path.join(root, 'etc/python3.11'), { recursive: true });
      await symlink('usr/bin', path.join(root, 'bin'));
      const { args } = argsOf({ hostRoot: root });
      expect(pairs(args, '--symlink')).toEqual([['usr/bin', '/bin']]);
      const tries = pairs(args, '--ro-bind-try');
      expect(tries).toContainEqual([path.join(root, 'lib64'), '/lib64']);
      expect(tries).toContainEqual([path.join(root, 'etc/python3.11'), '/etc/python3.11']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe.skipIf(SKIP_BWRAP)('the real sandbox (bubblewrap)', () => {
  let scratch: string;
  const limits: SandboxLimits = { memoryBytes: 256 * MIB, maxProcesses: 16, tmpBytes: 8 * MIB, outputBytes: 64 * MIB, maxOutputFiles: 1000 };
  const user = sandboxUser();
  const stages: Stage[] = [];

  beforeAll(async () => {
    expect(existsSync(BWRAP), `${BWRAP} is missing but LPCV_REQUIRE_BWRAP=1`).toBe(true);
    scratch = await mkdtemp(path.join(os.tmpdir(), 'lpcv-sandbox-test-'));
  });
  afterAll(async () => {
    for (const s of stages) await rm(s.root, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  const commandFor = (stage: Stage) =>
    sandboxCommand({
      paths: { inputDir: stage.input, outputDir: stage.output, packageFile: stage.packageFile, supervisorFile: stage.supervisor },
      limits,
      python: '/usr/bin/python3',
      bwrap: BWRAP,
      ...(user ? { dropTo: { ...user, setpriv: '/usr/bin/setpriv' } } : {}),
    });

  async function run(
    name: FixturePackage,
    opts: { timeoutMs?: number; signal?: AbortSignal; values?: Record<string, string> } = {},
  ): Promise<{ stage: Stage; run: SandboxRun; pidNamespace: HeldPidNamespace; init: SandboxInit | null | undefined }> {
    const pkg = await buildFixturePackage(name, scratch, opts.values);
    const stage = await makeStage(os.tmpdir(), user);
    stages.push(stage);
    await stagePackage(stage, pkg);
    await writeInputFolder(syntheticInputs(MIXED_SPECS), stage.input);
    const cmd = commandFor(stage);
    let ns: Promise<HeldPidNamespace> | undefined;
    let init: SandboxInit | null | undefined;
    const result = await runSandboxed(cmd, {
      timeoutMs: opts.timeoutMs ?? 60_000,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onSpawn: (pid) => (ns = sandboxPidNamespace(pid)),
      onSandboxInit: (i) => (init = i),
    });
    if (ns === undefined) throw new Error('the sandbox never spawned');
    return { stage, run: result, pidNamespace: await ns, init };
  }

  it('shows the package its inputs and nothing of the host: no labels, no harness tree, no users, no network device, no host process', async () => {
    const labels = path.join(scratch, 'labels.csv');
    await writeFile(labels, 'name,label\na.png,1\n');
    const hostPaths = [
      labels,
      scratch,
      path.join(REPO, 'tracks/fashion-mnist/data/t10k-labels-idx1-ubyte.gz'),
      REPO,
      '/work',
      '/root',
      '/home',
      '/var',
      '/run',
      '/etc/passwd',
      '/etc/shadow',
      '/etc/hosts',
      '/etc/resolv.conf',
    ];
    const { stage, run: r } = await run('probe_sandbox', { values: { HOST_PATHS: JSON.stringify(hostPaths) } });
    expect(r.stderrTail).toBe('');
    expect(r.report).toMatchObject({ exitCode: 0, violation: null });
    const seen = JSON.parse(r.stdoutTail) as Record<string, unknown>;
    for (const p of hostPaths) expect((seen.visible as Record<string, boolean>)[p], `${p} is visible inside`).toBe(false);
    expect(seen.inputs).toEqual(['a.png', 'b.jpg.png', 'c.png', 'd__.png']);
    expect(seen.uid).toBe(1000);
    expect(seen.hostname).toBe('lpcv-sandbox');
    expect(seen.capEff).toBe('0000000000000000');
    expect(seen.capBnd).toBe('0000000000000000');
    // PWD is bwrap's, from --chdir.
    expect(seen.env).toEqual(['HOME', 'LANG', 'PATH', 'PWD', 'PYTHONDONTWRITEBYTECODE', 'TMPDIR']);
    expect(seen.cwd).toBe('/output');
    // Its own pid namespace: bwrap's pid 1, the supervisor, the package.
    expect(seen.pids).toEqual([1, 2, 3]);
    expect(seen.netDevices).toEqual(['lo']);
    const optional = ['sbin', 'lib32', 'lib64', 'libx32'];
    expect((seen.root as string[]).filter((d) => !optional.includes(d))).toEqual([
      'bin',
      'dev',
      'etc',
      'input',
      'lib',
      'lpcv',
      'output',
      'proc',
      'submission',
      'tmp',
      'usr',
    ]);
    expect((seen.etc as string[]).filter((f) => !/^(ld\.so\.|alternatives$|localtime$|python3)/.test(f))).toEqual([]);
    expect(seen.rlimitAs).toBe(256 * MIB);
    // The supervisor and bwrap's pid 1 count against the same per-user limit.
    expect(seen.rlimitNproc).toBe(18);
    expect(seen.tmpFull).toBe('errno 28');
    const writes = seen.writes as Record<string, string>;
    expect(writes['/output/ok.txt']).toBe('ok');
    expect(writes['/tmp/ok.txt']).toBe('ok');
    expect(writes['/dev/shm/ok.txt']).toBe('ok');
    for (const p of [
      '/planted',
      '/usr/planted',
      '/etc/planted',
      '/input/planted',
      '/submission/planted',
      '/lpcv/supervisor.py',
      '/dev/planted',
      '/proc/sys/kernel/hostname',
    ]) {
      expect(writes[p], `writing ${p}`).toMatch(/^errno (30|13|2)$/);
    }
    expect(seen.mkdirOutput).toBe('ok');
    expect(await readFile(path.join(stage.output, 'ok.txt'), 'utf8')).toBe('x');
    expect(existsSync(path.join(stage.input, 'planted'))).toBe(false);
    expect(await readFile(stage.supervisor, 'utf8')).toContain('supervisor');
  });

  it('stops a fork bomb at the process limit, long before the time limit, and leaves no process behind', async () => {
    const { run: r, pidNamespace, init } = await run('fork_bomb', { timeoutMs: 120_000 });
    expect(r.outcome).toBe('exited');
    expect(r.report?.violation).toBe('processes');
    expect(r.report?.peakTasks).toBeGreaterThanOrEqual(limits.maxProcesses);
    // RLIMIT_NPROC held: the count never went past the limit (pid 1 and the supervisor are not counted).
    expect(r.report?.peakTasks).toBeLessThanOrEqual(limits.maxProcesses);
    expect(await survivorsOf(pidNamespace, init)).toEqual([]);
  });

  it('kills the whole sandbox at the time limit: the package and its children are gone from the host', async () => {
    const marker = `lpcv-marker-${randomUUID()}`;
    let pid: number | undefined;
    const pkg = await buildFixturePackage('sleeper', scratch, { MARKER: marker });
    const stage = await makeStage(os.tmpdir(), user);
    stages.push(stage);
    await stagePackage(stage, pkg);
    const cmd = commandFor(stage);
    let ns: Promise<HeldPidNamespace> | undefined;
    const running = runSandboxed(cmd, {
      timeoutMs: 4000,
      onSpawn: (p) => {
        pid = p;
        ns = sandboxPidNamespace(p);
      },
    });
    // The children exist on the host before the limit (else the check below would prove nothing).
    await vi.waitFor(async () => expect((await hostProcessesWith(marker)).length).toBe(3), { timeout: 30_000, interval: 100 });
    const r = await running;
    expect(r.outcome).toBe('timeout');
    expect(r.report).toBeUndefined();
    expect(await hostProcessesWith(marker)).toEqual([]);
    expect(await survivorsOf(await (ns as Promise<HeldPidNamespace>))).toEqual([]);
    expect(pid).toBeDefined();
    expect(await alive(pid as number)).toBe(false);
  });

  it('kills the whole sandbox when the job is aborted', async () => {
    const marker = `lpcv-marker-${randomUUID()}`;
    const abort = new AbortController();
    const done = run('sleeper', { timeoutMs: 120_000, signal: abort.signal, values: { MARKER: marker } });
    await vi.waitFor(async () => expect((await hostProcessesWith(marker)).length).toBe(3), { timeout: 30_000, interval: 100 });
    abort.abort();
    const { run: r, pidNamespace, init } = await done;
    expect(r.outcome).toBe('cancelled');
    expect(await hostProcessesWith(marker)).toEqual([]);
    expect(await survivorsOf(pidNamespace, init)).toEqual([]);
  });

  it('an abort at any moment of the set-up ends the whole sandbox, and the run returns', async () => {
    // bwrap's pid 1 arms --die-with-parent only at the end of its set-up: killing bwrap then let it run the
    // package on without a parent or a limit, and the run never returned (run-sandboxed.ts). The delays
    // cover the set-up (the supervisor reports "started" ~25 ms after the spawn here, more under load).
    const marker = `lpcv-marker-${randomUUID()}`;
    const pkg = await buildFixturePackage('sleeper', scratch, { MARKER: marker });
    for (let delayMs = 0; delayMs <= 36; delayMs += 3) {
      const stage = await makeStage(os.tmpdir(), user);
      stages.push(stage);
      await stagePackage(stage, pkg);
      const abort = new AbortController();
      const r = await runSandboxed(commandFor(stage), { timeoutMs: 60_000, signal: abort.signal, onSpawn: () => setTimeout(() => abort.abort(), delayMs) });
      expect(r.outcome, `aborted ${delayMs} ms after the spawn`).toBe('cancelled');
      // bwrap's processes (its pid 1 too) carry the stage's paths in their command lines, the package's children the marker.
      expect(await hostProcessesWith(stage.root), `aborted ${delayMs} ms after the spawn`).toEqual([]);
      expect(await hostProcessesWith(marker), `aborted ${delayMs} ms after the spawn`).toEqual([]);
    }
  });

  it('sees network use through the namespace counters even when the package swallows its errors', async () => {
    const { run: r } = await run('network');
    expect(r.report?.violation).toBe('network');
    expect(Object.keys(r.report?.network ?? {})).toContain('Tcp.ActiveOpens');
  });

  it('reports no supervisor when the package kills it', async () => {
    const { run: r, pidNamespace, init } = await run('kill_supervisor');
    expect(r.started).toBe(true);
    expect(r.report).toBeUndefined();
    expect(await survivorsOf(pidNamespace, init)).toEqual([]);
  });
});
