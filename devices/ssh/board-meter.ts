/**
 * A meter on an SSH board's supply (power=scpi://...), read from the agent's host: the board has no sensor of
 * its own (a Raspberry Pi), the meter sits between the board and its power supply, and the agent reaches the
 * meter over the lab network (devices/power/scpi-meter.ts). The sampler runs on the host beside the SSH
 * session: started before the run's ssh call and stopped after it, so its samples cover the call.
 *
 * The window is still the board's: its clock read just before the command started and just after it ended
 * (board/lpcv-run.sh). To integrate the meter's samples over that window, the board's clock is carried over to
 * the host's: just before the run the host reads the board's clock over SSH (the same clock the runner reads,
 * board-clock.ts), which places the offset between the clocks within half that reading's round trip; and the
 * command ran inside the run's ssh call, which bounds the offset from the other side. The offset is the
 * sync's estimate, moved as little as those bounds require; what is left of the uncertainty is reported.
 * An empty intersection means the two clocks disagree more than any delay explains (a clock stepped between
 * the sync and the run): LPCV_E_POWER_SAMPLES, no energy figure invented.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { PowerSample, PowerTrace } from '../power/power-sampler.js';

/** One reading of the board's clock, between two readings of the host's. */
export interface BoardClockReading {
  /** realtime-ns or proc-uptime: must be the clock the run's window was read on. */
  readonly clock: string;
  readonly boardNs: bigint;
  /** The host's clock (the meter sampler's) just before asking and just after the answer, ms. */
  readonly hostBeforeMs: number;
  readonly hostAfterMs: number;
}

export function parseBoardClock(text: string): { clock: string; ns: bigint } {
  const m = /^(realtime-ns|proc-uptime) (\d+)\s*$/.exec(text.trim());
  if (!m) throw new LpcvError('LPCV_E_SSH_REMOTE', `the board's clock could not be read: ${JSON.stringify(text.trim().slice(0, 200))}`);
  return { clock: m[1]!, ns: BigInt(m[2]!) };
}

/** The run as the host and the board saw it. */
export interface BoardRunTimes {
  /** The board's window (board/lpcv-run.sh's start_ns and end_ns) and its clock. */
  readonly clock: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
  /** The host's clock just before the run's ssh call and just after it returned, ms. */
  readonly callStartMs: number;
  readonly callEndMs: number;
}

export interface MeterOnBoard {
  /** The meter's samples in the board window's frame: ms since start_ns (the hwmon samples' frame). */
  readonly samples: PowerSample[];
  /** Board ms (since start_ns) minus host ms: the offset used. */
  readonly offsetMs: number;
  /** The sync's round trip, ms. */
  readonly syncRoundTripMs: number;
  /** Half the width of the offsets still possible after both bounds: how far the window may be off, ms. */
  readonly uncertaintyMs: number;
}

/** The meter's trace (host clock) carried into the board window's frame (see the file's comment). */
export function meterSamplesOnBoard(trace: PowerTrace, sync: BoardClockReading, run: BoardRunTimes): MeterOnBoard {
  if (sync.clock !== run.clock) {
    throw new LpcvError(
      'LPCV_E_SSH_REMOTE',
      `the board's clock was read as ${sync.clock} before the run and as ${run.clock} in it: the meter's samples cannot be placed on the run's window`,
    );
  }
  const durationMs = Number(run.endNs - run.startNs) / 1e6;
  // Host times from the sync's start, so that the arithmetic is on small numbers (epoch ms have 0.2 us steps).
  const h0 = sync.hostBeforeMs;
  const roundTrip = sync.hostAfterMs - h0;
  const estimate = Number(sync.boardNs - run.startNs) / 1e6 - roundTrip / 2;
  // The sync places the offset within half its round trip; the command ran inside the run's ssh call:
  // start (0 on the board) - offset >= callStart, and end (durationMs) - offset <= callEnd.
  // /proc/uptime reads in 10 ms steps: the sync's reading may be that much off besides. The call's bounds
  // stay strict, so that the window stays where the meter's samples are.
  const step = run.clock === 'proc-uptime' ? 10 : 0;
  const lo = Math.max(estimate - roundTrip / 2 - step, durationMs - (run.callEndMs - h0));
  const hi = Math.min(estimate + roundTrip / 2 + step, -(run.callStartMs - h0));
  if (!(lo <= hi)) {
    throw new LpcvError(
      'LPCV_E_POWER_SAMPLES',
      `the board's run window (${durationMs.toFixed(3)} ms) cannot be placed on the meter's clock: the board's clock read before the run (round trip ${roundTrip.toFixed(3)} ms) and the run's ssh call (${(run.callEndMs - run.callStartMs).toFixed(3)} ms) disagree by ${(lo - hi).toFixed(3)} ms; was a clock stepped?`,
    );
  }
  const offset = Math.min(hi, Math.max(lo, estimate));
  return {
    samples: trace.samples.map((s) => ({ t: s.t - h0 + offset, watts: s.watts })),
    offsetMs: offset - h0,
    syncRoundTripMs: roundTrip,
    uncertaintyMs: (hi - lo) / 2,
  };
}
