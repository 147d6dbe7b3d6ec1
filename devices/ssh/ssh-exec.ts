/**
 * The system's OpenSSH client, run through execa with argument arrays only. Boards are reached with a key
 * (never a password, never an agent), the host key is checked against a known_hosts file
 * (StrictHostKeyChecking=yes: an unknown or changed key is refused before anything is sent), and no user or
 * system ssh_config is read (-F none), so the agent's behaviour does not depend on the machine's ~/.ssh.
 *
 * ssh joins its remote arguments into one line for the board's login shell, so callers pass that line
 * already quoted (shell-quote.ts); `remoteScript` builds one from a constant script and quoted arguments.
 * Folders travel as tar streams over the same connection: no sftp subsystem needed on the board, and no
 * remote path is ever parsed by anything but that one quoted line.
 */
import { execa } from 'execa';
import { mkdir } from 'node:fs/promises';
import { LpcvError } from '../../errors/lpcv-error.js';
import { shellLine } from '../targets/shell-quote.js';

export interface SshEndpoint {
  readonly user: string;
  readonly host: string;
  readonly port: number;
  readonly key: string;
  readonly knownHosts: string;
  readonly connectTimeoutS: number;
  /**
   * A master connection's socket (ssh-master.ts): calls go through it when it is up and connect directly
   * when it is not. One per endpoint object, never shared between endpoints: the master checked the host
   * key against this endpoint's known_hosts and logged in with this endpoint's key.
   */
  readonly controlPath?: string;
}

export interface RemoteResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RemoteOptions {
  /** Aborting kills the local ssh client (the caller stops what runs on the board: ssh-target.ts). */
  readonly signal?: AbortSignal;
  /** What this step is, for messages (`make the run folder`). */
  readonly what: string;
}

/** ssh expands %-tokens in file options; a literal % is %%. Whitespace splits option values unless quoted. */
export function fileOption(p: string): string {
  if (p.includes('"') || p.includes('\n'))
    throw new LpcvError('LPCV_E_SSH_SPEC', `the path ${JSON.stringify(p)} cannot be given to ssh (it holds a double quote or a newline)`);
  const escaped = p.replace(/%/g, '%%');
  return /\s/.test(escaped) ? `"${escaped}"` : escaped;
}

/** The options of every ssh call (ssh(1), ssh_config(5)). */
export function sshOptions(ep: SshEndpoint): string[] {
  const o = (kv: string): string[] => ['-o', kv];
  return [
    '-F',
    'none',
    '-T',
    '-e',
    'none',
    '-p',
    String(ep.port),
    '-l',
    ep.user,
    '-i',
    ep.key.replace(/%/g, '%%'),
    ...o('IdentitiesOnly=yes'),
    ...o('IdentityAgent=none'),
    ...o('BatchMode=yes'),
    ...o('PasswordAuthentication=no'),
    ...o('KbdInteractiveAuthentication=no'),
    ...o('StrictHostKeyChecking=yes'),
    ...o(`UserKnownHostsFile=${fileOption(ep.knownHosts)}`),
    ...o('GlobalKnownHostsFile=/dev/null'),
    ...o('UpdateHostKeys=no'),
    ...o('CheckHostIP=no'),
    ...o(`ConnectTimeout=${ep.connectTimeoutS}`),
    // A board that hangs or drops off the network is noticed within 15 s, not at the TCP timeout.
    ...o('ServerAliveInterval=5'),
    ...o('ServerAliveCountMax=3'),
    ...o('ForwardAgent=no'),
    ...o('ForwardX11=no'),
    ...o('ClearAllForwardings=yes'),
    ...o('LogLevel=ERROR'),
    ...(ep.controlPath !== undefined ? [...o('ControlMaster=no'), ...o(`ControlPath=${fileOption(ep.controlPath)}`)] : []),
  ];
}

/** The full argv of `ssh ... -- host line`. */
export function sshArgv(ep: SshEndpoint, line: string): string[] {
  return [...sshOptions(ep), '--', ep.host, line];
}

/**
 * `sh -c SCRIPT sh ARG...` as one quoted line: the script is a constant of ours, the arguments arrive as
 * "$1".."$n" on the board, whatever characters they hold.
 */
export function remoteScript(script: string, args: readonly string[] = []): string {
  return shellLine(['sh', '-c', script, 'sh', ...args]);
}

function where(ep: SshEndpoint): string {
  return `${ep.user}@${ep.host}:${ep.port}`;
}

function lastLines(text: string, n = 4): string {
  return text.trim().split('\n').slice(-n).join(' | ').slice(0, 600);
}

/**
 * What ssh's own exit status 255 means, from its message: the host key, the key, or the connection.
 * Returns undefined when the message is not one of ssh's (255 was then the remote command's status).
 */
export function sshFailure(ep: SshEndpoint, stderr: string, what: string): LpcvError | undefined {
  const msg = lastLines(stderr);
  const detail = { board: where(ep), step: what, stderr: msg };
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|host key is known for|Host key for .* has changed/i.test(stderr)) {
    return new LpcvError('LPCV_E_SSH_HOST_KEY', `${where(ep)}: the host key is not the one in ${ep.knownHosts}; refusing to connect (${what}): ${msg}`, detail);
  }
  if (/Permission denied|Too many authentication failures|no such identity|Load key .*: |not accessible/i.test(stderr)) {
    return new LpcvError('LPCV_E_SSH_AUTH', `${where(ep)}: the board refused the key ${ep.key} (${what}): ${msg}`, detail);
  }
  if (
    /^ssh: |Connection (refused|timed out|closed|reset)|closed by remote host|No route to host|Could not resolve|Network is unreachable|Broken pipe|kex_exchange_identification|Timeout, server .* not responding|client_loop/im.test(
      stderr,
    )
  ) {
    return new LpcvError('LPCV_E_SSH_UNREACHABLE', `${where(ep)}: cannot reach the board (${what}): ${msg}`, detail);
  }
  return undefined;
}

function checked(
  ep: SshEndpoint,
  r: { exitCode?: number; signal?: string; stderr: unknown; isCanceled: boolean; failed: boolean; message?: string },
  what: string,
): RemoteResult | never {
  const stderr = typeof r.stderr === 'string' ? r.stderr : '';
  if (r.isCanceled) throw new LpcvError('LPCV_E_RUN_CANCELLED', `${where(ep)}: cancelled while it was to ${what}`);
  if (r.exitCode === undefined) {
    throw new LpcvError('LPCV_E_SSH_UNREACHABLE', `${where(ep)}: ssh did not run or was killed (${what}): ${r.signal ?? r.message ?? 'unknown'}`, {
      board: where(ep),
      step: what,
    });
  }
  if (r.exitCode === 255) {
    const e = sshFailure(ep, stderr, what);
    if (e) throw e;
  }
  return { exitCode: r.exitCode, stdout: '', stderr };
}

/** Runs one quoted line on the board and returns its status and output; ssh's own failures are coded errors. */
export async function sshRun(ep: SshEndpoint, line: string, opts: RemoteOptions): Promise<RemoteResult> {
  const r = await execa('ssh', sshArgv(ep, line), {
    stdin: 'ignore',
    reject: false,
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    maxBuffer: 4 * 1024 * 1024,
  });
  const base = checked(ep, r, opts.what);
  return { ...base, stdout: typeof r.stdout === 'string' ? r.stdout : '' };
}

/** Like sshRun, and a non-zero status is LPCV_E_SSH_REMOTE (a harness step, not the submission, failed). */
export async function sshRunOk(ep: SshEndpoint, line: string, opts: RemoteOptions): Promise<RemoteResult> {
  const r = await sshRun(ep, line, opts);
  if (r.exitCode !== 0) {
    throw new LpcvError('LPCV_E_SSH_REMOTE', `${where(ep)}: could not ${opts.what} (exit ${r.exitCode}): ${lastLines(r.stderr) || 'no message'}`, {
      board: where(ep),
      step: opts.what,
      exitCode: r.exitCode,
    });
  }
  return r;
}

const UPLOAD_SCRIPT = 'set -e; mkdir -p -- "$1"; cd -- "$1"; tar -x -o -f -';
const DOWNLOAD_SCRIPT = 'set -e; cd -- "$1"; shift; tar -c -f - -- "$@"';

function copyFailed(ep: SshEndpoint, what: string, how: string): LpcvError {
  return new LpcvError('LPCV_E_SSH_COPY', `${where(ep)}: could not ${what}: ${how}`, { board: where(ep), step: what });
}

/**
 * Copies the contents of local `dir` into `remoteDir` on the board (created if missing) as one tar stream:
 * `tar -c` here piped into `tar -x` there.
 */
export async function uploadFolder(ep: SshEndpoint, dir: string, remoteDir: string, opts: RemoteOptions): Promise<void> {
  const cancel = opts.signal ? { cancelSignal: opts.signal } : {};
  const r = await execa('tar', ['-C', dir, '-c', '-f', '-', '.'], { stdin: 'ignore', reject: false, ...cancel }).pipe(
    'ssh',
    sshArgv(ep, remoteScript(UPLOAD_SCRIPT, [remoteDir])),
    { reject: false, ...cancel },
  );
  const sent = r.pipedFrom[0];
  const remote = checked(ep, r, opts.what);
  if (sent !== undefined && sent.exitCode !== 0) throw copyFailed(ep, opts.what, `tar on this host failed: ${lastLines(String(sent.stderr))}`);
  if (remote.exitCode !== 0) throw copyFailed(ep, opts.what, `tar on the board exited ${remote.exitCode}: ${lastLines(remote.stderr) || 'no message'}`);
}

/**
 * Copies `names` (files or folders relative to `remoteDir`) from the board into local `dir` as one tar
 * stream. The archive is the board's (and so the submission's) writing: it is unpacked by GNU tar, which
 * strips leading `/` and refuses `..` members, without owners or permission bits from the archive.
 */
export async function downloadFolder(ep: SshEndpoint, remoteDir: string, names: readonly string[], dir: string, opts: RemoteOptions): Promise<void> {
  await mkdir(dir, { recursive: true });
  const cancel = opts.signal ? { cancelSignal: opts.signal } : {};
  const r = await execa('ssh', sshArgv(ep, remoteScript(DOWNLOAD_SCRIPT, [remoteDir, ...names])), { stdin: 'ignore', reject: false, ...cancel }).pipe(
    'tar',
    ['-C', dir, '-x', '-f', '-', '--no-same-owner', '--no-same-permissions'],
    { reject: false, ...cancel },
  );
  const from = r.pipedFrom[0];
  if (from === undefined) throw copyFailed(ep, opts.what, 'ssh did not run');
  const remote = checked(ep, from, opts.what);
  if (remote.exitCode !== 0) throw copyFailed(ep, opts.what, `tar on the board exited ${remote.exitCode}: ${lastLines(remote.stderr) || 'no message'}`);
  if (r.exitCode !== 0) throw copyFailed(ep, opts.what, `tar on this host failed: ${lastLines(String(r.stderr))}`);
}
