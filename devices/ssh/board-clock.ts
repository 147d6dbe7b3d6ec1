/**
 * The board's clock read from the host as NTP reads a server's: over one session the host sends a line, the
 * board answers with its clock, and the host reads its own clock on each side. Of several pings, the one
 * with the shortest round trip bounds the offset between the two clocks tightest (within half its round
 * trip). The session's set-up (ssh's start, the login) is outside every ping: the board says `ready` first.
 * Measured on this 2-core machine under load (loopback sshd, through the master connection): one ssh call per
 * reading had a round trip of 140-360 ms, a ping inside one session about 1 ms.
 */
import { execa } from 'execa';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Clock } from '../power/poller.js';
import { parseBoardClock, type BoardClockReading } from './board-meter.js';

/**
 * Prints `ready`, then `<clock> <ns>` for each line it reads: the board's clock as board/lpcv-run.sh's now()
 * reads it, `date +%s%N` (realtime-ns) or, where date has no %N, /proc/uptime in 10 ms steps (proc-uptime).
 */
export const BOARD_CLOCK_LOOP = [
  'now() {',
  '  t=$(date +%s%N 2>/dev/null)',
  '  case $t in',
  "    '' | *[!0-9]*)",
  '      read -r up _ < /proc/uptime || exit 6',
  '      s=${up%.*} c=${up#*.}',
  '      c=${c#0}',
  '      echo "proc-uptime $((s * 1000000000 + c * 10000000))" ;;',
  '    *) echo "realtime-ns $t" ;;',
  '  esac',
  '}',
  'echo ready',
  'while read -r _; do now; done',
].join('\n');

export interface BoardClockOptions {
  /** The host's clock: the meter sampler's. */
  readonly now: Clock;
  readonly signal: AbortSignal;
  /** Pings (default 8). */
  readonly pings?: number;
  /** For the session to say ready and for each answer (default 15 s). */
  readonly timeoutMs?: number;
  /** What a session that ended early means (ssh's own failures, from its exit status and stderr). */
  readonly failure?: (exitCode: number | undefined, stderr: string) => LpcvError | undefined;
}

/** Runs `file args` (ssh to the board with BOARD_CLOCK_LOOP; a local shell in the tests) and pings it. */
export async function readBoardClock(file: string, args: readonly string[], o: BoardClockOptions): Promise<BoardClockReading> {
  const child = execa(file, args, { stdin: 'pipe', reject: false, cancelSignal: o.signal, maxBuffer: 1024 * 1024 });
  const lines: string[] = [];
  let waiter: (() => void) | undefined;
  let ended = false;
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    buffer += d;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      lines.push(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
    waiter?.();
  });
  const done = child.then((r) => {
    ended = true;
    waiter?.();
    return r;
  });
  const fail = async (why: string): Promise<never> => {
    child.kill('SIGKILL');
    const r = await done;
    if (r.isCanceled) throw new LpcvError('LPCV_E_RUN_CANCELLED', "cancelled while reading the board's clock");
    const stderr = typeof r.stderr === 'string' ? r.stderr : '';
    throw (
      o.failure?.(r.exitCode, stderr) ??
      new LpcvError('LPCV_E_SSH_REMOTE', `could not read the board's clock: ${why}${stderr.trim() ? ` (${stderr.trim().slice(-300)})` : ''}`)
    );
  };
  const nextLine = async (): Promise<string> => {
    const deadline = Date.now() + (o.timeoutMs ?? 15_000);
    while (lines.length === 0) {
      if (ended) return fail('the session ended before it answered');
      const left = deadline - Date.now();
      if (left <= 0) return fail(`no answer within ${o.timeoutMs ?? 15_000} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      waiter = undefined;
    }
    return lines.shift()!;
  };

  try {
    if ((await nextLine()) !== 'ready') return await fail('the clock loop did not start');
    let best: BoardClockReading | undefined;
    for (let i = 0; i < (o.pings ?? 8); i++) {
      const hostBeforeMs = o.now();
      child.stdin.write('\n');
      const line = await nextLine();
      const hostAfterMs = o.now();
      const { clock, ns } = parseBoardClock(line);
      if (best === undefined || hostAfterMs - hostBeforeMs < best.hostAfterMs - best.hostBeforeMs) best = { clock, boardNs: ns, hostBeforeMs, hostAfterMs };
    }
    child.stdin.end();
    await done;
    return best!;
  } finally {
    if (!ended) child.kill('SIGKILL');
  }
}
