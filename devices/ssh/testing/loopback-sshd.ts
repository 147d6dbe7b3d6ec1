/**
 * For the tests: a throwaway OpenSSH server on 127.0.0.1 standing in for a board. It runs as the current
 * user with its own config (public keys only, no PAM, no passwords), its own host key and authorized_keys
 * in a temporary folder, and a user key and known_hosts for the client side. Real boards were not available
 * to the tests; this is the same sshd a Raspberry Pi or a PYNQ image runs, on loopback.
 */
import { execa, type ResultPromise } from 'execa';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export interface LoopbackSshd {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  /** The client's private key (ed25519, no passphrase), authorized on the server. */
  readonly key: string;
  /** A known_hosts file holding the server's host key for [127.0.0.1]:port. */
  readonly knownHosts: string;
  /** The temporary folder everything lives in (removed by stop()). */
  readonly dir: string;
  /** `ssh://user@127.0.0.1:port?key=...&known_hosts=...` plus `extra` query keys. */
  spec(extra?: Record<string, string>): string;
  /** The server's log so far (sshd -e writes it to stderr). */
  log(): string;
  stop(): Promise<void>;
}

/** Whether the tests can run a real sshd; CI sets LPCV_REQUIRE_SSHD=1 to fail instead of skipping. */
export function sshdSkipReason(): string | undefined {
  if (existsSync(SSHD)) return undefined;
  if (process.env.LPCV_REQUIRE_SSHD === '1') return undefined; // the tests then fail, as CI wants
  const reason = `${SSHD} is not installed (Debian openssh-server): skipping the SSH board tests (set LPCV_REQUIRE_SSHD=1 to fail instead)`;
  console.warn(reason);
  return reason;
}

/** Pids whose parent is `pid` (from /proc). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

async function keygen(file: string, comment: string): Promise<string> {
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { stdin: 'ignore' });
  return (await readFile(`${file}.pub`, 'utf8')).trim();
}

/** Generates a fresh key pair in `dir` and returns the private key's path and the public line. */
export async function makeKeyPair(dir: string, name: string): Promise<{ key: string; pub: string }> {
  const key = path.join(dir, name);
  return { key, pub: await keygen(key, `lpcv-test-${name}`) };
}

/** The known_hosts line for a host key on [127.0.0.1]:port (port 22 is written without brackets by ssh). */
export function knownHostsLine(port: number, hostPub: string): string {
  const [type, blob] = hostPub.split(/\s+/);
  return `[127.0.0.1]:${port} ${type} ${blob}\n`;
}

export async function startLoopbackSshd(): Promise<LoopbackSshd> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lpcv-sshd-'));
  await chmod(dir, 0o700);
  const hostKey = path.join(dir, 'host_ed25519');
  const hostPub = await keygen(hostKey, 'lpcv-test-host');
  const user = await makeKeyPair(dir, 'user_ed25519');
  const authorizedKeys = path.join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, `${user.pub}\n`, { mode: 0o600 });
  // sshd refuses to start without its privilege-separation folder; Debian's service creates it at boot.
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });

  const username = os.userInfo().username;
  let lastError: unknown;
  // The port is free when chosen and may be taken before sshd binds it: try again with another.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const config = path.join(dir, 'sshd_config');
    await writeFile(
      config,
      [
        `ListenAddress 127.0.0.1:${port}`,
        `HostKey ${hostKey}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        'AuthenticationMethods publickey',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'PermitRootLogin prohibit-password',
        `AllowUsers ${username}`,
        // The keys live under /tmp, which is world-writable: StrictModes would refuse them.
        'StrictModes no',
        'PermitUserEnvironment no',
        'PrintMotd no',
        'Subsystem sftp internal-sftp',
        'LogLevel VERBOSE',
        'MaxStartups 50:30:100',
        '',
      ].join('\n'),
    );
    const child = execa(SSHD, ['-D', '-e', '-f', config], { stdin: 'ignore', reject: false, buffer: false });
    let log = '';
    const listening = new Promise<boolean>((resolve) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString('utf8');
        if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) resolve(true);
      });
      void child.then(() => resolve(false));
    });
    if (await listening) {
      const knownHosts = path.join(dir, 'known_hosts');
      await writeFile(knownHosts, knownHostsLine(port, hostPub));
      return loopback(dir, port, username, user.key, knownHosts, child, () => log);
    }
    lastError = new Error(`sshd did not start: ${log.trim()}`);
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

function loopback(dir: string, port: number, user: string, key: string, knownHosts: string, child: ResultPromise, log: () => string): LoopbackSshd {
  return {
    host: '127.0.0.1',
    port,
    user,
    key,
    knownHosts,
    dir,
    spec(extra = {}) {
      const q = new URLSearchParams({ key, known_hosts: knownHosts, ...extra });
      return `ssh://${encodeURIComponent(user)}@127.0.0.1:${port}?${q.toString()}`;
    },
    log,
    async stop() {
      // The per-connection sshd processes are the listener's children and hold its stderr: end them first
      // (by pid), or a connection left open (a master) would keep the listener's output, and this, waiting.
      const pid = child.pid;
      if (pid !== undefined) for (const c of childPids(pid)) killQuietly(c);
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
