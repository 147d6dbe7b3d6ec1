/**
 * A board restricted to one competition phase, or one round of it (`?phase=<name>[&round=<name>]`,
 * docs/leaderboard.md): only the submissions recorded while it was open (`submissions.phase`, `.round`) are
 * entries. Pure: the phases in, the filter (or a coded refusal naming the known names) out.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Phase } from '../../harness/competitions/competition.js';
import { phasesOfTrack } from '../../harness/competitions/phase-clock.js';

export interface PhaseFilter {
  readonly phase: Phase;
  /** A round of the phase, or null: the whole phase. */
  readonly round: string | null;
}

/** The phases of the track as a board lists them, with their rounds, in start order. */
export interface TrackPhase {
  name: string;
  title: string;
  rounds: string[];
}

export function trackPhases(phases: readonly Phase[], track: string): TrackPhase[] {
  return phasesOfTrack(phases, track).map((p) => ({ name: p.name, title: p.title, rounds: p.rounds.map((r) => r.name) }));
}

const names = (list: readonly string[]): string => (list.length === 0 ? 'none' : list.join(', '));

/**
 * The filter the query asks for, or null without `phase`. 400 LPCV_E_BAD_REQUEST for a phase that does not name
 * the track, a round the phase does not have, or a round without its phase.
 */
export function parsePhaseFilter(phases: readonly Phase[], track: string, phase: string | undefined, round: string | undefined): PhaseFilter | null {
  if (phase === undefined) {
    if (round !== undefined) throw new LpcvError('LPCV_E_BAD_REQUEST', `round needs its phase: ?phase=<name>&round=${round}`);
    return null;
  }
  const own = phasesOfTrack(phases, track);
  const found = own.find((p) => p.name === phase);
  if (found === undefined)
    throw new LpcvError('LPCV_E_BAD_REQUEST', `track ${track} has no phase ${JSON.stringify(phase)} (its phases: ${names(own.map((p) => p.name))})`);
  if (round !== undefined && !found.rounds.some((r) => r.name === round))
    throw new LpcvError(
      'LPCV_E_BAD_REQUEST',
      `phase ${found.name} has no round ${JSON.stringify(round)} (its rounds: ${names(found.rounds.map((r) => r.name))})`,
    );
  return { phase: found, round: round ?? null };
}
