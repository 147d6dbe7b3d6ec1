/**
 * The bubblewrap command line for one solution-package run (docs/solution-packages.md, "The sandbox"), as an
 * argument array: nothing here is ever joined into a shell string.
 *
 * Inside: the host's /usr (and the /bin, /lib* links or folders), a few files of /etc that the dynamic
 * loader and Python read, a fresh /proc and /dev, a private bounded /tmp and /dev/shm, the package, the
 * supervisor and the input folder read-only, and the output folder, the only writable host folder. The root
 * and /dev are remounted read-only. No other host path exists in there: not the harness's tree, not the
 * track's data set, not its labels. All namespaces are new (user, pid, net, ipc, uts, cgroup): no network
 * device but a loopback, no process of the host visible; every capability is dropped, the environment is
 * cleared and set anew, and the sandbox dies with the harness (--die-with-parent) and has no terminal
 * (--new-session, so TIOCSTI cannot push keystrokes into the harness's terminal). bwrap names the sandbox's
 * pid 1 on --info-fd: the run ends when that process has exited (run-sandboxed.ts).
 *
 * Process limit. RLIMIT_NPROC is the only limit the kernel enforces per user, and it exempts uid 0: a
 * sandbox started by root maps its uid onto root and a fork bomb inside it is not stopped (measured: 100
 * forks under a limit of 20). So when the harness runs as root, bwrap itself is started through
 * `setpriv --reuid/--regid <sandboxUid>` (default 65534, nobody): the sandbox's processes then belong to
 * that unprivileged uid, and since Linux 5.14 the limit counts per user namespace, so two sandboxes of the
 * same uid do not share it. The supervisor sets the limit and watches the count (supervisor.py).
 */
import { lstatSync, readlinkSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Where things are inside the sandbox. */
export const SANDBOX_PATHS = {
  input: '/input',
  output: '/output',
  package: '/submission/solution.pyz',
  supervisor: '/lpcv/supervisor.py',
  tmp: '/tmp',
} as const;

/** The uid and gid the package sees (any non-zero number: it is mapped onto the host's sandbox uid). */
export const SANDBOX_INNER_UID = 1000;
/** The file descriptor the supervisor writes its report to (the harness's fourth stdio pipe). */
export const STATUS_FD = 3;
/**
 * The file descriptor bwrap names the sandbox's pid 1 on (--info-fd, the harness's fifth stdio pipe): the
 * harness kills and waits for that process, not bwrap's outer one (sandbox-init.ts says why). bwrap closes
 * it in the sandbox, so neither the supervisor nor the package holds it.
 */
export const INFO_FD = 4;

export interface SandboxLimits {
  /** RLIMIT_AS of the package's processes, in bytes (address space, not resident memory); 0 = none. */
  readonly memoryBytes: number;
  /** Tasks (processes and threads) the package may have at once. */
  readonly maxProcesses: number;
  /** Size of the private /tmp (and, separately, of /dev/shm), in bytes. */
  readonly tmpBytes: number;
  /** What the package may write into /output: bytes in all (also RLIMIT_FSIZE, one file's largest size). */
  readonly outputBytes: number;
  /** Entries (files and folders) it may create under /output. */
  readonly maxOutputFiles: number;
}

export interface SandboxPaths {
  /** Host folder of PNG inputs, bound read-only on /input. */
  readonly inputDir: string;
  /** Host folder, bound writable on /output. */
  readonly outputDir: string;
  /** Host file of the package, bound read-only on /submission/solution.pyz. */
  readonly packageFile: string;
  /** Host copy of supervisor.py, bound read-only. */
  readonly supervisorFile: string;
}

export interface SandboxCommandOptions {
  readonly paths: SandboxPaths;
  readonly limits: SandboxLimits;
  /** The interpreter inside (a host path that is under /usr). */
  readonly python: string;
  /** The bwrap executable (a host path). */
  readonly bwrap: string;
  /** When set (the harness runs as root), bwrap is started as this host uid:gid through setpriv. */
  readonly dropTo?: { readonly uid: number; readonly gid: number; readonly setpriv: string };
  /** How often the supervisor counts tasks and reads the network counters. */
  readonly pollMs?: number;
  /** The host's root, for the /bin and /lib* links (tests only). */
  readonly hostRoot?: string;
}

export interface SandboxCommand {
  readonly file: string;
  readonly args: readonly string[];
}

/** Top-level folders that hold programs and libraries: a link on the host (merged /usr) is a link inside. */
const SYSTEM_DIRS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];
/** What of /etc the loader and the interpreter read; nothing with users, hosts or network settings. */
const ETC_FILES = ['ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'alternatives', 'localtime'];

export function sandboxCommand(o: SandboxCommandOptions): SandboxCommand {
  const root = o.hostRoot ?? '/';
  const args: string[] = [
    '--unshare-all',
    '--unshare-user',
    '--uid',
    String(SANDBOX_INNER_UID),
    '--gid',
    String(SANDBOX_INNER_UID),
    '--hostname',
    'lpcv-sandbox',
    '--die-with-parent',
    '--new-session',
    '--info-fd',
    String(INFO_FD),
    '--cap-drop',
    'ALL',
    '--clearenv',
    '--setenv',
    'PATH',
    '/usr/bin:/bin',
    '--setenv',
    'HOME',
    SANDBOX_PATHS.tmp,
    '--setenv',
    'TMPDIR',
    SANDBOX_PATHS.tmp,
    '--setenv',
    'LANG',
    'C.UTF-8',
    '--setenv',
    'PYTHONDONTWRITEBYTECODE',
    '1',
    '--ro-bind',
    path.join(root, 'usr'),
    '/usr',
  ];
  for (const dir of SYSTEM_DIRS) {
    const host = path.join(root, dir);
    const link = readLink(host);
    if (link !== undefined) args.push('--symlink', link, `/${dir}`);
    else args.push('--ro-bind-try', host, `/${dir}`);
  }
  for (const name of [...ETC_FILES, ...pythonEtc(root)]) args.push('--ro-bind-try', path.join(root, 'etc', name), `/etc/${name}`);
  args.push(
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(o.limits.tmpBytes),
    '--tmpfs',
    '/dev/shm',
    '--size',
    String(o.limits.tmpBytes),
    '--tmpfs',
    SANDBOX_PATHS.tmp,
    '--ro-bind',
    o.paths.inputDir,
    SANDBOX_PATHS.input,
    '--bind',
    o.paths.outputDir,
    SANDBOX_PATHS.output,
    '--ro-bind',
    o.paths.packageFile,
    SANDBOX_PATHS.package,
    '--ro-bind',
    o.paths.supervisorFile,
    SANDBOX_PATHS.supervisor,
    // Not recursive: /dev/shm, /tmp and /output stay writable, everything else becomes read-only.
    '--remount-ro',
    '/dev',
    '--remount-ro',
    '/',
    '--chdir',
    SANDBOX_PATHS.output,
    '--',
    o.python,
    '-I',
    '-S',
    SANDBOX_PATHS.supervisor,
    String(STATUS_FD),
    JSON.stringify({
      argv: [o.python, SANDBOX_PATHS.package, '-i', SANDBOX_PATHS.input, '-o', SANDBOX_PATHS.output],
      memoryBytes: o.limits.memoryBytes,
      maxProcesses: o.limits.maxProcesses,
      outputDir: SANDBOX_PATHS.output,
      outputBytes: o.limits.outputBytes,
      maxOutputFiles: o.limits.maxOutputFiles,
      pollMs: o.pollMs ?? 50,
    }),
  );
  if (o.dropTo === undefined) return { file: o.bwrap, args };
  return {
    file: o.dropTo.setpriv,
    args: ['--reuid', String(o.dropTo.uid), '--regid', String(o.dropTo.gid), '--clear-groups', '--', o.bwrap, ...args],
  };
}

function readLink(p: string): string | undefined {
  try {
    return lstatSync(p).isSymbolicLink() ? readlinkSync(p) : undefined;
  } catch {
    return undefined;
  }
}

/** /etc/python3.* (Debian's sitecustomize lives there). */
function pythonEtc(root: string): string[] {
  try {
    return readdirSync(path.join(root, 'etc')).filter((n) => /^python3(\.\d+)?$/.test(n));
  } catch {
    return [];
  }
}
