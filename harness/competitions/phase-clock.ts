/**
 * Which phase is open, which round, what comes next: pure functions of the phases and `now` (epoch ms).
 * A phase is open from its start (inclusive) to its end (exclusive); the bundle guarantees that the phases of
 * one track do not overlap, so a track has at most one open phase.
 */
import type { Phase, Round } from './competition.js';

export type PhaseState = 'upcoming' | 'open' | 'closed';

export function phaseState(phase: Phase, now: number): PhaseState {
  return now < phase.startAt ? 'upcoming' : now < phase.endAt ? 'open' : 'closed';
}

/** The phases that name the track, in start order. */
export function phasesOfTrack(phases: readonly Phase[], track: string): Phase[] {
  return phases.filter((p) => p.tracks.includes(track)).sort((a, b) => a.startAt - b.startAt);
}

/** The track's open phase, or null. */
export function openPhase(phases: readonly Phase[], track: string, now: number): Phase | null {
  return phasesOfTrack(phases, track).find((p) => phaseState(p, now) === 'open') ?? null;
}

/** The round open within the phase at `now`, or null (between rounds, or a phase without rounds). */
export function openRound(phase: Phase, now: number): Round | null {
  return phase.rounds.find((r) => r.startAt <= now && now < r.endAt) ?? null;
}

/** The track's next phase to open after `now`, or null. */
export function nextPhase(phases: readonly Phase[], track: string, now: number): Phase | null {
  return phasesOfTrack(phases, track).find((p) => p.startAt > now) ?? null;
}

/** The track's last phase to have closed by `now`, or null. */
export function lastClosedPhase(phases: readonly Phase[], track: string, now: number): Phase | null {
  return (
    phasesOfTrack(phases, track)
      .filter((p) => p.endAt <= now)
      .sort((a, b) => b.endAt - a.endAt)[0] ?? null
  );
}

/**
 * When the track's private results became everyone's by a phase's automatic reveal: the earliest end of a
 * closed phase with `reveal: auto` on the track, or null.
 */
export function autoRevealedAt(phases: readonly Phase[], track: string, now: number): number | null {
  const ends = phasesOfTrack(phases, track)
    .filter((p) => p.reveal === 'auto' && p.endAt <= now)
    .map((p) => p.endAt);
  return ends.length === 0 ? null : Math.min(...ends);
}

/** "3 d 4 h", "2 h 5 min", "40 s": a short, rounded-down duration for the pages. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}
