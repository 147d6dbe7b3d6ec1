import type { Phase, Round } from '../../harness/competitions/competition.js';
import { lastClosedPhase, nextPhase, openPhase, openRound, phasesOfTrack, shortDuration } from '../../harness/competitions/phase-clock.js';
import { LpcvError } from '../../errors/lpcv-error.js';

/** Where an upload falls: the open phase of its track and the round open in it (null between rounds). */
export interface UploadPhase {
  readonly phase: Phase;
  readonly round: Round | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The phase an upload to `track` at `now` is made in (pure). null when no phase names the track: the track
 * is open as without a competition. Throws LPCV_E_PHASE_CLOSED (403) when phases name the track and none is
 * open, saying when the next opens or when the last closed.
 */
export function uploadPhase(phases: readonly Phase[], track: string, now: number): UploadPhase | null {
  if (phasesOfTrack(phases, track).length === 0) return null;
  const phase = openPhase(phases, track, now);
  if (phase !== null) return { phase, round: openRound(phase, now) };
  const next = nextPhase(phases, track, now);
  const last = lastClosedPhase(phases, track, now);
  const when =
    next !== null
      ? `the next phase, ${next.name}, opens at ${iso(next.startAt)} (in ${shortDuration(next.startAt - now)})`
      : `the last phase, ${last!.name}, closed at ${iso(last!.endAt)}; no phase follows`;
  throw new LpcvError('LPCV_E_PHASE_CLOSED', `no phase is open for submissions on track ${track}: ${when}`, {
    track,
    nextPhase: next === null ? null : { name: next.name, startsAt: iso(next.startAt) },
    lastPhase: last === null ? null : { name: last.name, endedAt: iso(last.endAt) },
  });
}
