/**
 * One SSH master connection per board (ControlMaster), so that a run's five or six ssh calls share one
 * login: on a loaded machine or a slow board the key exchange and login take seconds each time. The master
 * is started on its own (`ssh -M -N -f`) with its output in a file: a master forked off an ordinary call
 * would keep that call's stderr pipe open and hang it. Calls name the socket with ControlMaster=no, so
 * when the master is gone they connect directly, as before.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import { fileOption, sshFailure, sshOptions, type SshEndpoint } from './ssh-exec.js';

/** How long an idle master stays up (an agent that dies leaves it for this long at most). */
const PERSIST_S = 300;

export class SshMaster {
  private dir: string | undefined;
  private starting: Promise<void> | undefined;

  constructor(private readonly ep: SshEndpoint) {}

  /** The socket's path, once a master was started (undefined before: calls then connect directly). */
  get controlPath(): string | undefined {
    return this.dir === undefined ? undefined : path.join(this.dir, 'master');
  }

  /** Starts the master unless its socket is there; coded errors as for any ssh call (host key, key, reachability). */
  async ensure(signal?: AbortSignal): Promise<void> {
    const socket = this.controlPath;
    if (socket !== undefined && existsSync(socket)) return;
    this.starting ??= this.start(signal).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(signal?: AbortSignal): Promise<void> {
    // A short folder: a unix socket path has room for about 100 bytes.
    this.dir ??= await mkdtemp(path.join(os.tmpdir(), 'lpcv-ssh-'));
    const socket = path.join(this.dir, 'master');
    const log = path.join(this.dir, 'master.log');
    const opts = sshOptions({ ...this.ep, controlPath: undefined });
    const r = await execa(
      'ssh',
      [...opts, '-o', 'ControlMaster=yes', '-o', `ControlPath=${fileOption(socket)}`, '-o', `ControlPersist=${PERSIST_S}`, '-N', '-f', '--', this.ep.host],
      {
        stdin: 'ignore',
        stdout: 'ignore',
        stderr: { file: log },
        reject: false,
        ...(signal ? { cancelSignal: signal } : {}),
      },
    );
    if (r.isCanceled) throw new LpcvError('LPCV_E_RUN_CANCELLED', `cancelled while connecting to ${this.ep.host}`);
    const text = await readFile(log, 'utf8').catch(() => '');
    if (r.exitCode !== 0 || !existsSync(socket)) {
      throw (
        sshFailure(this.ep, text, 'connect') ??
        new LpcvError('LPCV_E_SSH_UNREACHABLE', `cannot connect to ${this.ep.host}: ${text.trim().slice(-300) || `ssh exited ${r.exitCode}`}`)
      );
    }
  }

  /** Ends the master (ssh -O exit) and removes its folder. */
  async close(): Promise<void> {
    const dir = this.dir;
    if (dir === undefined) return;
    const socket = path.join(dir, 'master');
    if (existsSync(socket)) {
      await execa('ssh', ['-F', 'none', '-o', `ControlPath=${fileOption(socket)}`, '-O', 'exit', '--', this.ep.host], {
        stdin: 'ignore',
        reject: false,
        timeout: 10_000,
      });
    }
    this.dir = undefined;
    await rm(dir, { recursive: true, force: true });
  }
}
