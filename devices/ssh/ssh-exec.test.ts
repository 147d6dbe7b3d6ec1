import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { HOSTILE_WORDS } from './testing/hostile-words.js';
import { knownHostsLine, makeKeyPair, sshdSkipReason, startLoopbackSshd, type LoopbackSshd } from './testing/loopback-sshd.js';
import { shellLine } from '../targets/shell-quote.js';
import { downloadFolder, remoteScript, sshRun, sshRunOk, uploadFolder, type SshEndpoint } from './ssh-exec.js';
import { SshMaster } from './ssh-master.js';

const skip = sshdSkipReason();

/** Waits for a condition on the file system by polling it (the board is another process: no event to wait on). */
async function until(ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LpcvError);
  return (e as LpcvError).code;
}

describe.skipIf(skip !== undefined)('ssh-exec against a real sshd on loopback', () => {
  let sshd: LoopbackSshd;
  let ep: SshEndpoint;
  let scratch: string;
  beforeAll(async () => {
    sshd = await startLoopbackSshd();
    ep = { user: sshd.user, host: sshd.host, port: sshd.port, key: sshd.key, knownHosts: sshd.knownHosts, connectTimeoutS: 10 };
    scratch = await mkdtemp(path.join(os.tmpdir(), 'lpcv-ssh-exec-'));
  });
  afterAll(async () => {
    await sshd?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('runs a quoted line on the board: every hostile word arrives as one argument, nothing is executed', async () => {
    const marker = path.join(scratch, 'PWNED');
    const r = await sshRun(ep, `cd ${shellLine([scratch])} && printf '%s\\0' ${shellLine(HOSTILE_WORDS)}`, { what: 'echo words' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(HOSTILE_WORDS);
    expect(existsSync(marker)).toBe(false);
  });

  it('passes arguments to a constant script as "$1".."$n"', async () => {
    const r = await sshRun(ep, remoteScript('printf "%s|" "$#" "$@"', ['a b', "it's", '$(id)']), { what: 'count' });
    expect(r.stdout).toBe("3|a b|it's|$(id)|");
  });

  it("returns the remote command's status, and sshRunOk makes a non-zero one LPCV_E_SSH_REMOTE", async () => {
    expect((await sshRun(ep, remoteScript('echo oops >&2; exit 7'), { what: 'fail' })).exitCode).toBe(7);
    const e = await sshRunOk(ep, remoteScript('echo oops >&2; exit 7'), { what: 'fail on purpose' }).catch((err: unknown) => err);
    expect((e as LpcvError).code).toBe('LPCV_E_SSH_REMOTE');
    expect((e as LpcvError).message).toMatch(/fail on purpose \(exit 7\): oops/);
  });

  it('copies a folder there and back as tar streams, into a remote folder with a hostile name', async () => {
    const local = path.join(scratch, 'up');
    await mkdir(path.join(local, 'sub dir'), { recursive: true });
    await writeFile(path.join(local, "it's $(x).txt"), 'one\n');
    await writeFile(path.join(local, 'sub dir', 'two'), Buffer.from([0, 1, 2, 255]));
    const remote = path.join(scratch, "remote 'dir' $(touch PWNED); x");
    await uploadFolder(ep, local, remote, { what: 'upload' });
    expect(await readFile(path.join(remote, "it's $(x).txt"), 'utf8')).toBe('one\n');
    const back = path.join(scratch, 'back');
    await downloadFolder(ep, remote, ['sub dir', "it's $(x).txt"], back, { what: 'download' });
    expect((await readdir(back)).sort()).toEqual(["it's $(x).txt", 'sub dir']);
    expect([...(await readFile(path.join(back, 'sub dir', 'two')))]).toEqual([0, 1, 2, 255]);
    expect(existsSync(path.join(scratch, 'PWNED'))).toBe(false);
    expect(existsSync('PWNED')).toBe(false);
  });

  it('reports a copy of something missing on the board as LPCV_E_SSH_COPY', async () => {
    expect(await codeOf(downloadFolder(ep, scratch, ['no-such-file'], path.join(scratch, 'nothing'), { what: 'download' }))).toBe('LPCV_E_SSH_COPY');
    expect(await codeOf(uploadFolder(ep, path.join(scratch, 'no-such-local-dir'), path.join(scratch, 'x'), { what: 'upload' }))).toBe('LPCV_E_SSH_COPY');
  });

  it('refuses an unknown host key and a changed one, before running anything', async () => {
    const marker = path.join(scratch, 'ran-on-unverified-host');
    const line = shellLine(['touch', marker]);
    const empty = path.join(scratch, 'known_hosts.empty');
    await writeFile(empty, '');
    expect(await codeOf(sshRun({ ...ep, knownHosts: empty }, line, { what: 'touch' }))).toBe('LPCV_E_SSH_HOST_KEY');
    const other = await makeKeyPair(scratch, 'impostor_host');
    const changed = path.join(scratch, 'known_hosts.changed');
    await writeFile(changed, knownHostsLine(sshd.port, other.pub));
    expect(await codeOf(sshRun({ ...ep, knownHosts: changed }, line, { what: 'touch' }))).toBe('LPCV_E_SSH_HOST_KEY');
    expect(existsSync(marker)).toBe(false);
  });

  it('reports a key the board does not accept as LPCV_E_SSH_AUTH, and a missing key file too', async () => {
    const stranger = await makeKeyPair(scratch, 'stranger');
    expect(await codeOf(sshRun({ ...ep, key: stranger.key }, 'true', { what: 'true' }))).toBe('LPCV_E_SSH_AUTH');
    expect(await codeOf(sshRun({ ...ep, key: path.join(scratch, 'no-such-key') }, 'true', { what: 'true' }))).toBe('LPCV_E_SSH_AUTH');
  });

  it('reports a port where nothing listens as LPCV_E_SSH_UNREACHABLE', async () => {
    // A port that was free a moment ago: bound and closed by the kernel's choice.
    const net = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const a = s.address() as { port: number };
        s.close(() => resolve(a.port));
      });
    });
    expect(await codeOf(sshRun({ ...ep, port }, 'true', { what: 'true' }))).toBe('LPCV_E_SSH_UNREACHABLE');
  });

  it('shares one login between calls through a master connection, and connects directly once it is closed', async () => {
    const logins = (): number =>
      sshd
        .log()
        .split('\n')
        .filter((l) => l.startsWith('Accepted publickey')).length;
    const master = new SshMaster(ep);
    try {
      await master.ensure();
      const through = { ...ep, controlPath: master.controlPath! };
      const before = logins();
      for (let i = 0; i < 3; i++) expect((await sshRun(through, remoteScript('echo "$1"', [`call ${i}`]), { what: 'echo' })).stdout).toBe(`call ${i}`);
      await uploadFolder(through, path.join(scratch, 'up'), path.join(scratch, 'via-master'), { what: 'upload' });
      expect(logins()).toBe(before);
      await master.close();
      expect(existsSync(through.controlPath)).toBe(false);
      expect((await sshRun(through, 'echo direct', { what: 'echo' })).stdout).toBe('direct');
      expect(logins()).toBe(before + 1);
    } finally {
      await master.close();
    }
  });

  it('refuses a master connection to a host whose key is unknown (LPCV_E_SSH_HOST_KEY)', async () => {
    const empty = path.join(scratch, 'known_hosts.empty.master');
    await writeFile(empty, '');
    const master = new SshMaster({ ...ep, knownHosts: empty });
    expect(await codeOf(master.ensure())).toBe('LPCV_E_SSH_HOST_KEY');
    await master.close();
  });

  it('stops a call when its signal aborts (LPCV_E_RUN_CANCELLED), whether it is connecting or running', async () => {
    const early = new AbortController();
    const connecting = sshRun(ep, remoteScript('exec sleep 30'), { what: 'sleep', signal: early.signal });
    early.abort();
    expect(await codeOf(connecting)).toBe('LPCV_E_RUN_CANCELLED');
    // Running: the board side says so in a file first (a loopback board shares this file system).
    const started = path.join(scratch, 'sleep-started');
    const late = new AbortController();
    const running = sshRun(ep, remoteScript('touch -- "$1"; exec sleep 30', [started]), { what: 'sleep', signal: late.signal });
    await until(() => existsSync(started));
    late.abort();
    expect(await codeOf(running)).toBe('LPCV_E_RUN_CANCELLED');
  });
});
