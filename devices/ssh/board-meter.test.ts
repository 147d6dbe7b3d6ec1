import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { integrateEnergy } from '../../scoring/energy.js';
import type { PowerTrace } from '../power/power-sampler.js';
import { defaultClock } from '../power/poller.js';
import { BOARD_CLOCK_LOOP, readBoardClock } from './board-clock.js';
import { meterSamplesOnBoard, parseBoardClock, type BoardClockReading, type BoardRunTimes } from './board-meter.js';
import { shellQuote } from '../targets/shell-quote.js';
import { parseBoardResult } from './board-run.js';

const RUNNER = fileURLToPath(new URL('./board/lpcv-run.sh', import.meta.url));
const SHELLS = ['/bin/dash', '/bin/bash'].filter((s) => existsSync(s));

describe.each(SHELLS)('BOARD_CLOCK_LOOP under %s: the clock board/lpcv-run.sh reads, pinged within one session', (shell) => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'lpcv-board-clock-'));
  });
  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });
  const signal = new AbortController().signal;

  /** The clock read before and after a run of the runner, with `bin` first on PATH when given (a board without date +%N). */
  async function clockAroundARun(bin?: string) {
    const dir = path.join(scratch, `run-${bin === undefined ? 'date' : 'uptime'}`);
    await mkdir(path.join(dir, 'meta'), { recursive: true });
    await copyFile(RUNNER, path.join(dir, 'lpcv-run.sh'));
    await writeFile(path.join(dir, 'meta', 'config'), '');
    const loop = bin === undefined ? BOARD_CLOCK_LOOP : `PATH=${shellQuote(bin)}:$PATH\n${BOARD_CLOCK_LOOP}`;
    const env = bin === undefined ? {} : { PATH: `${bin}:${process.env.PATH ?? ''}` };
    const before = await readBoardClock(shell, ['-c', loop], { now: defaultClock, signal, pings: 4 });
    const run = parseBoardResult(
      (await execa(shell, [path.join(dir, 'lpcv-run.sh'), 'run', dir, '--', 'sleep', '0.05'], { stdin: 'ignore', env: { ...process.env, ...env } })).stdout,
    );
    const after = await readBoardClock(shell, ['-c', loop], { now: defaultClock, signal, pings: 4 });
    return { before, run, after };
  }

  it('date +%s%N: realtime-ns, before the run window and after it; the best ping is one round trip inside the session', async () => {
    const { before, run, after } = await clockAroundARun();
    expect([before.clock, run.clock, after.clock]).toEqual(['realtime-ns', 'realtime-ns', 'realtime-ns']);
    expect(before.boardNs <= run.startNs && run.startNs <= run.endNs && run.endNs <= after.boardNs).toBe(true);
    expect(Number(after.boardNs - before.boardNs) / 1e6).toBeGreaterThanOrEqual(50);
    expect(before.hostAfterMs).toBeGreaterThanOrEqual(before.hostBeforeMs);
    // A ping is a line and a date: far below a shell's start (the session's set-up is outside it).
    expect(before.hostAfterMs - before.hostBeforeMs).toBeLessThan(1000);
  });

  it('without %N: /proc/uptime in 10 ms steps, as the runner falls back to', async () => {
    const bin = path.join(scratch, 'busybox-like-bin');
    await mkdir(bin, { recursive: true });
    await writeFile(path.join(bin, 'date'), '#!/bin/sh\necho 1733000000N\n');
    await chmod(path.join(bin, 'date'), 0o755);
    const { before, run, after } = await clockAroundARun(bin);
    expect([before.clock, run.clock, after.clock]).toEqual(['proc-uptime', 'proc-uptime', 'proc-uptime']);
    expect(before.boardNs % 10_000_000n).toBe(0n);
    expect(before.boardNs <= run.startNs && run.endNs <= after.boardNs).toBe(true);
  });

  it('a session that ends, stays silent or is aborted is an error, never a wait', async () => {
    await expect(readBoardClock(shell, ['-c', 'echo nope >&2; exit 3'], { now: defaultClock, signal })).rejects.toMatchObject({
      code: 'LPCV_E_SSH_REMOTE',
      message: expect.stringMatching(/ended before it answered \(nope\)/),
    });
    await expect(readBoardClock(shell, ['-c', 'echo ready; exec sleep 30'], { now: defaultClock, signal, timeoutMs: 300 })).rejects.toMatchObject({
      code: 'LPCV_E_SSH_REMOTE',
      message: expect.stringContaining('no answer within 300 ms'),
    });
    await expect(
      readBoardClock(shell, ['-c', 'exit 255'], {
        now: defaultClock,
        signal,
        failure: (code) => (code === 255 ? new LpcvError('LPCV_E_SSH_UNREACHABLE', 'gone') : undefined),
      }),
    ).rejects.toMatchObject({ code: 'LPCV_E_SSH_UNREACHABLE' });
    const abort = new AbortController();
    const pending = readBoardClock(shell, ['-c', 'exec sleep 30'], { now: defaultClock, signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    await expect(pending).rejects.toMatchObject({ code: 'LPCV_E_RUN_CANCELLED' });
  });
});

describe('parseBoardClock', () => {
  it('reads both clocks, ns beyond 2^53 exact, and refuses anything else', () => {
    expect(parseBoardClock('realtime-ns 1733000000123456789\n')).toEqual({ clock: 'realtime-ns', ns: 1733000000123456789n });
    expect(parseBoardClock('proc-uptime 5120000000')).toEqual({ clock: 'proc-uptime', ns: 5120000000n });
    for (const bad of ['', '1733000000123456789', 'realtime-ns 17330000001N', 'monotonic 5']) {
      expect(() => parseBoardClock(bad), bad).toThrow(expect.objectContaining({ code: 'LPCV_E_SSH_REMOTE' }));
    }
  });
});

describe('meterSamplesOnBoard: the meter (host clock) onto the board run window', () => {
  // The board's clock runs 5 000 000 ms ahead of the host's. The run's ssh call spans host 10 000-10 400 ms;
  // the command ran on the board from 5 010 100 to 5 010 300 ms (host 10 100-10 300).
  const AHEAD = 5_000_000;
  const ns = (boardMs: number): bigint => BigInt(Math.round(boardMs * 1e6));
  const run: BoardRunTimes = { clock: 'realtime-ns', startNs: ns(AHEAD + 10_100), endNs: ns(AHEAD + 10_300), callStartMs: 10_000, callEndMs: 10_400 };
  // A meter trace from the host: 10 W until host 10 200, 20 W after (a step at the run's midpoint).
  const trace: PowerTrace = {
    source: 'scpi:WT310@127.0.0.1:5025',
    startMs: 9_990,
    endMs: 10_410,
    samples: [
      { t: 9_990, watts: 10 },
      { t: 10_200, watts: 10 },
      { t: 10_200, watts: 20 },
      { t: 10_410, watts: 20 },
    ],
  };
  const sync = (hostBeforeMs: number, hostAfterMs: number, boardMs: number): BoardClockReading => ({
    clock: 'realtime-ns',
    boardNs: ns(boardMs),
    hostBeforeMs,
    hostAfterMs,
  });

  it("a symmetric sync: the window lands where it ran, and the energy is the trace's over it (1 + 2 J, by hand)", () => {
    // Read at host 9 950 (board 5 009 950), the answer back at 9 960: the offset is known to +-5 ms.
    const m = meterSamplesOnBoard(trace, sync(9_940, 9_960, AHEAD + 9_950), run);
    expect(m.syncRoundTripMs).toBe(20);
    expect(m.uncertaintyMs).toBeCloseTo(10, 9);
    expect(m.offsetMs).toBeCloseTo(-10_100, 6);
    expect(m.samples.map((s) => s.t)).toEqual(trace.samples.map((s) => s.t - 10_100));
    const e = integrateEnergy(m.samples, 0, 200);
    expect(e.joules).toBeCloseTo(10 * 0.1 + 20 * 0.1, 9);
  });

  // A call that hugs the command: started 10 ms before it (host 10 090) and ended 10 ms after (10 310).
  const tight: BoardRunTimes = { ...run, callStartMs: 10_090, callEndMs: 10_310 };

  it('an estimate that would put the window before the ssh call started is moved just inside it', () => {
    // An asymmetric sync: asked at host 9 900, the board read its clock at host 9 995 and the answer came back
    // at once (10 000). The midpoint puts the run 45 ms early, at host 10 055, before the call began: the
    // window is moved to start with the call (host 10 090), well within the sync's +-50 ms.
    const m = meterSamplesOnBoard(trace, sync(9_900, 10_000, AHEAD + 9_995), tight);
    expect(-m.offsetMs).toBeCloseTo(tight.callStartMs, 6);
    expect(m.uncertaintyMs).toBeCloseTo(7.5, 9);
    // 10 W over host 10 090-10 200 and 20 W over 10 200-10 290: 1.1 + 1.8 J.
    expect(integrateEnergy(m.samples, 0, 200).joules).toBeCloseTo(1.1 + 1.8, 9);
  });

  it('refuses clocks that no delay explains (LPCV_E_POWER_SAMPLES), and a sync on another clock than the run', () => {
    // The board's clock read before the run says it is 2 s further ahead than the run's window allows.
    const stepped = (): unknown => meterSamplesOnBoard(trace, sync(9_940, 9_960, AHEAD + 11_950), run);
    expect(stepped).toThrow(LpcvError);
    expect(stepped).toThrow(
      expect.objectContaining({ code: 'LPCV_E_POWER_SAMPLES', message: expect.stringMatching(/cannot be placed on the meter's clock.*stepped/) }),
    );
    expect(() => meterSamplesOnBoard(trace, { ...sync(9_940, 9_960, AHEAD + 9_950), clock: 'proc-uptime' }, run)).toThrow(
      expect.objectContaining({ code: 'LPCV_E_SSH_REMOTE' }),
    );
  });

  it('gives a proc-uptime board 10 ms of slack on the sync, never past the call', () => {
    // The sync says the run started at host 10 118 +- 2 ms; the call says by 10 110 at the latest (it ended
    // at 10 310, 200 ms later). On a ns clock that is a contradiction; in 10 ms steps it is not.
    const reading = sync(9_948, 9_952, AHEAD + 9_932);
    expect(() => meterSamplesOnBoard(trace, reading, tight)).toThrow(expect.objectContaining({ code: 'LPCV_E_POWER_SAMPLES' }));
    const m = meterSamplesOnBoard(trace, { ...reading, clock: 'proc-uptime' }, { ...tight, clock: 'proc-uptime' });
    expect(-m.offsetMs).toBeCloseTo(10_110, 6);
    expect(-m.offsetMs + 200).toBeLessThanOrEqual(tight.callEndMs + 1e-6);
  });
});
