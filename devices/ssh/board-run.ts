/**
 * One measured run on the board: the runner script (board/lpcv-run.sh) started over SSH, and stopped from a
 * second connection when the job is aborted or the board's own watchdog does not end it in time. ssh
 * without a terminal does not end the remote command when the local client dies, so stopping means asking
 * the board to kill the command's process group (`lpcv-run.sh kill`), never just killing the local ssh.
 */
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { EnvironmentSnapshot } from '../../harness/environment.js';
import { shellLine } from '../targets/shell-quote.js';
import { parseBoardSnapshot } from './board-environment.js';
import { remoteScript, sshArgv, sshFailure, sshRun, type SshEndpoint } from './ssh-exec.js';

/** The runner, as shipped into each run's folder. */
export const RUNNER_SCRIPT = readFileSync(new URL('./board/lpcv-run.sh', import.meta.url), 'utf8');
export const RUNNER_NAME = 'lpcv-run.sh';

/** What meta/result says (board/lpcv-run.sh writes it; the runner prints it too). */
export interface BoardResult {
  /** The command's exit status (128 + n when killed by signal n). */
  readonly status: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  /** realtime-ns (date +%s%N) or proc-uptime (10 ms steps). */
  readonly clock: string;
  /** The board's watchdog killed it at the track's time limit. */
  readonly timedOut: boolean;
  /** `lpcv-run.sh kill` killed it (abort, or the host's own deadline). */
  readonly killed: boolean;
  readonly dropped: boolean;
  /** none, unlocked (locked for the run, then unlocked), unlock-failed. */
  readonly network: string;
  /** Whether the command ran in its own session (setsid), so that its children were killed with it. */
  readonly ownGroup: boolean;
  /** Size of the outputs folder on the board (du -sk), KiB. */
  readonly outputsKiB: number;
}

export function parseBoardResult(text: string): BoardResult {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const int = (k: string): string => {
    const v = kv.get(k);
    if (v === undefined || !/^\d+$/.test(v))
      throw new LpcvError('LPCV_E_SSH_REMOTE', `the board's run result has no valid ${k} (${JSON.stringify(text.slice(0, 300))})`);
    return v;
  };
  const startNs = BigInt(int('start_ns'));
  const endNs = BigInt(int('end_ns'));
  if (endNs < startNs) throw new LpcvError('LPCV_E_SSH_REMOTE', `the board's clock went backwards during the run (${startNs} -> ${endNs} ns): was it stepped?`);
  return {
    status: Number(int('status')),
    startNs,
    endNs,
    clock: kv.get('clock') ?? 'unknown',
    timedOut: kv.get('timed_out') === '1',
    killed: kv.get('killed') === '1',
    dropped: kv.get('dropped') === '1',
    network: kv.get('network') ?? 'none',
    ownGroup: kv.get('setsid') === 'setsid',
    outputsKiB: Number(/^\d+$/.test(kv.get('outputs_kib') ?? '') ? kv.get('outputs_kib') : 0),
  };
}

export interface RunOnBoardOptions {
  /** Aborting kills the command on the board, then the run ends with LPCV_E_RUN_CANCELLED. */
  readonly signal: AbortSignal;
  /** When the host gives up waiting for the runner (the track's limit plus a grace): LPCV_E_MODEL_TIMEOUT. */
  readonly hostDeadlineMs: number;
  readonly log: (line: string) => void;
}

/** How long a stopped runner gets to finish its bookkeeping before the local ssh is killed too. */
const STOP_GRACE_MS = 20_000;

const RUNNER_EXIT: Record<number, string> = {
  2: 'usage',
  3: 'dropping the page cache',
  4: 'locking the network',
  5: 'the power loop',
  6: 'the clock',
  7: 'abandoned',
};

/** Runs `argv` through the runner in `runDir`; returns what it measured, or throws a coded error. */
export async function runOnBoard(
  ep: SshEndpoint,
  runDir: string,
  argv: readonly string[],
  o: RunOnBoardOptions,
): Promise<{ result: BoardResult; hostMs: number }> {
  const script = `${runDir}/${RUNNER_NAME}`;
  const t0 = performance.now();
  const child = execa('ssh', sshArgv(ep, shellLine(['sh', script, 'run', runDir, '--', ...argv])), { stdin: 'ignore', reject: false, maxBuffer: 1024 * 1024 });
  // Through a master connection the master holds the client's pipes until the remote session ends, so a
  // killed client's result would wait for the board: once it is killed, its exit is enough.
  let gone: () => void = () => {};
  const killedLocally = new Promise<undefined>((resolve) => {
    gone = () => resolve(undefined);
  });
  const killLocal = (): void => {
    child.once('exit', gone);
    child.kill('SIGKILL');
    if (child.exitCode !== null || child.signalCode !== null) gone();
  };
  let stopping: 'abort' | 'deadline' | undefined;
  /** What `lpcv-run.sh kill` found: the command killed, or none started yet (the runner stuck before it). */
  let found: string | undefined;
  let grace: NodeJS.Timeout | undefined;
  const stop = (why: 'abort' | 'deadline'): void => {
    if (stopping) return;
    stopping = why;
    o.log(why === 'abort' ? 'aborted: killing the command on the board' : `the board did not end the run within ${o.hostDeadlineMs} ms: killing it`);
    grace = setTimeout(killLocal, STOP_GRACE_MS);
    sshRun(ep, shellLine(['sh', script, 'kill', runDir]), { what: 'kill the command', signal: AbortSignal.timeout(STOP_GRACE_MS) }).then(
      (r) => {
        found = r.stdout.trim();
        if (r.exitCode !== 0 || found === 'not-started') killLocal();
      },
      (e: unknown) => {
        o.log(`could not reach the board to kill the command: ${e instanceof Error ? e.message : String(e)}`);
        killLocal();
      },
    );
  };
  const onAbort = (): void => stop('abort');
  if (o.signal.aborted) onAbort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  const deadline = setTimeout(() => stop('deadline'), o.hostDeadlineMs);
  let r;
  try {
    r = await Promise.race([child, killedLocally]);
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    clearTimeout(deadline);
    clearTimeout(grace);
  }
  const hostMs = performance.now() - t0;
  if (r === undefined) {
    if (stopping === 'abort')
      throw new LpcvError('LPCV_E_RUN_CANCELLED', `the run on ${ep.host} was cancelled; the board did not confirm that its command was killed`);
    if (found === 'not-started') {
      throw new LpcvError(
        'LPCV_E_SSH_REMOTE',
        `the board did not start the command within ${o.hostDeadlineMs} ms: a harness step before it (page cache, network lock, power loop) hung`,
      );
    }
    if (found === 'killed')
      throw new LpcvError('LPCV_E_MODEL_TIMEOUT', `the run on ${ep.host} exceeded its time limit and was killed (the host waited ${o.hostDeadlineMs} ms)`);
    throw new LpcvError(
      'LPCV_E_SSH_UNREACHABLE',
      `the board stopped answering during the run (no result within ${o.hostDeadlineMs} ms, and it did not confirm the kill)`,
    );
  }
  const stderr = typeof r.stderr === 'string' ? r.stderr : '';
  const stdout = typeof r.stdout === 'string' ? r.stdout : '';
  if (stopping === 'abort') throw new LpcvError('LPCV_E_RUN_CANCELLED', `the run on ${ep.host} was cancelled and its command killed on the board`);
  if (stopping === 'deadline' && found === 'not-started') {
    throw new LpcvError(
      'LPCV_E_SSH_REMOTE',
      `the board did not start the command within ${o.hostDeadlineMs} ms: a harness step before it (page cache, network lock, power loop) hung`,
    );
  }
  if (stopping === 'deadline')
    throw new LpcvError('LPCV_E_MODEL_TIMEOUT', `the run on ${ep.host} exceeded its time limit and was killed (the host waited ${o.hostDeadlineMs} ms)`);
  if (r.exitCode === 255) {
    const e = sshFailure(ep, stderr, 'run the command');
    if (e) throw e;
  }
  if (r.exitCode === undefined) throw new LpcvError('LPCV_E_SSH_UNREACHABLE', `ssh to ${ep.host} did not run: ${r.message ?? 'unknown'}`);
  if (r.exitCode !== 0) {
    const why = RUNNER_EXIT[r.exitCode] ?? `exit ${r.exitCode}`;
    const msg =
      stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('lpcv-run: '))
        .pop()
        ?.slice('lpcv-run: '.length) ?? stderr.trim().slice(-300);
    const code = r.exitCode === 5 ? 'LPCV_E_POWER_READ' : 'LPCV_E_SSH_REMOTE';
    throw new LpcvError(code, `the run on ${ep.host} failed in ${why}: ${msg || 'no message'}`, { step: why, exitCode: r.exitCode });
  }
  return { result: parseBoardResult(stdout), hostMs };
}

const CLEANUP_SCRIPT = [
  'd=$1',
  'if [ -s "$d/meta/cmd.pid" ]; then read -r p < "$d/meta/cmd.pid"; kill -KILL "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null; fi',
  'rm -rf -- "$d"',
  '[ ! -e "$d" ]',
].join('\n');

/** Kills what may be left of the run and removes its folder; a failure here is logged, never thrown. */
export async function cleanUpRun(ep: SshEndpoint, runDir: string, log: (line: string) => void): Promise<boolean> {
  try {
    const r = await sshRun(ep, remoteScript(CLEANUP_SCRIPT, [runDir]), { what: 'remove the run folder', signal: AbortSignal.timeout(60_000) });
    if (r.exitCode === 0) return true;
    log(`could not remove ${runDir} on the board (exit ${r.exitCode}): ${r.stderr.trim().slice(-300)}`);
  } catch (e) {
    log(`could not remove ${runDir} on the board: ${e instanceof Error ? e.message : String(e)}`);
  }
  return false;
}

/**
 * One reading of the board's state by the runner already in `runDir` (`lpcv-run.sh env`: the same reading it
 * takes around the command), for a cooldown that waits on the board's temperature. LPCV_E_SSH_REMOTE when the
 * runner prints no reading.
 */
export async function readBoardEnvironment(ep: SshEndpoint, runDir: string, signal: AbortSignal): Promise<EnvironmentSnapshot> {
  const r = await sshRun(ep, shellLine(['sh', `${runDir}/${RUNNER_NAME}`, 'env', runDir]), { what: "read the board's state", signal });
  const snapshot = r.exitCode === 0 ? parseBoardSnapshot(r.stdout) : null;
  if (snapshot === null) {
    throw new LpcvError(
      'LPCV_E_SSH_REMOTE',
      `the board's runner gave no reading of its state (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().slice(-300)}`,
    );
  }
  return snapshot;
}
