import { describe, expect, it } from 'vitest';
import type { Phase } from './competition.js';
import { startedPhaseChanges } from './phase-changes.js';
import { autoRevealedAt, lastClosedPhase, nextPhase, openPhase, openRound, phaseState, shortDuration } from './phase-clock.js';

const H = 3_600_000;
const phase = (name: string, startAt: number, endAt: number, more: Partial<Phase> = {}): Phase => ({
  name,
  title: name,
  tracks: ['a'],
  startAt,
  endAt,
  board: 'private',
  boardVisible: true,
  reveal: 'manual',
  quota: { perDay: null, total: null, failed: null },
  rounds: [],
  ...more,
});

const dev = phase('dev', 10 * H, 20 * H, { rounds: [{ name: 'r1', startAt: 10 * H, endAt: 15 * H }] });
const final = phase('final', 22 * H, 24 * H, { reveal: 'auto' });
const other = phase('other', 0, 100 * H, { tracks: ['b'] });
const phases = [final, other, dev];

describe('the phase clock', () => {
  it('a phase is open from its start (inclusive) to its end (exclusive)', () => {
    expect([phaseState(dev, 10 * H - 1), phaseState(dev, 10 * H), phaseState(dev, 20 * H - 1), phaseState(dev, 20 * H)]).toEqual([
      'upcoming',
      'open',
      'open',
      'closed',
    ]);
  });

  it("finds a track's open phase, the next and the last closed, by the track's phases only", () => {
    expect(openPhase(phases, 'a', 12 * H)?.name).toBe('dev');
    expect(openPhase(phases, 'a', 21 * H)).toBeNull();
    expect(nextPhase(phases, 'a', 21 * H)?.name).toBe('final');
    expect(lastClosedPhase(phases, 'a', 21 * H)?.name).toBe('dev');
    expect(lastClosedPhase(phases, 'a', 30 * H)?.name).toBe('final');
    expect(openPhase(phases, 'b', 21 * H)?.name).toBe('other');
    expect(openPhase(phases, 'c', 21 * H)).toBeNull();
  });

  it('finds the open round, none between rounds', () => {
    expect(openRound(dev, 12 * H)?.name).toBe('r1');
    expect(openRound(dev, 16 * H)).toBeNull();
  });

  it('reveals automatically at the end of an auto phase, not before, and not for manual phases', () => {
    expect(autoRevealedAt(phases, 'a', 24 * H - 1)).toBeNull();
    expect(autoRevealedAt(phases, 'a', 24 * H)).toBe(24 * H);
    expect(autoRevealedAt(phases, 'b', 200 * H)).toBeNull();
  });

  it('writes short durations', () => {
    expect([shortDuration(40_000), shortDuration(5 * 60_000 + 1), shortDuration(2 * H + 5 * 60_000), shortDuration(76 * H)]).toEqual([
      '40 s',
      '5 min',
      '2 h 5 min',
      '3 d 4 h',
    ]);
  });
});

describe('changes to phases that have started', () => {
  it('names changed keys and removed phases of started phases only', () => {
    const now = 12 * H;
    expect(startedPhaseChanges(phases, phases, now)).toEqual([]);
    const changed = [phase('dev', 10 * H, 21 * H, { rounds: dev.rounds }), phase('final', 23 * H, 24 * H, { reveal: 'auto' })];
    // final has not started: it may move; other (started) was removed; dev's end moved.
    expect(startedPhaseChanges(phases, changed, now)).toEqual([
      { phase: 'other', change: 'removed', keys: [] },
      { phase: 'dev', change: 'changed', keys: ['endAt'] },
    ]);
  });
});
