import type { Phase } from './competition.js';

/** A change an apply would make to a phase that had started by then. */
export interface StartedPhaseChange {
  readonly phase: string;
  readonly change: 'changed' | 'removed';
  /** The keys that differ (for 'changed'). */
  readonly keys: readonly string[];
}

const KEYS = ['title', 'tracks', 'startAt', 'endAt', 'board', 'boardVisible', 'reveal', 'quota', 'rounds'] as const;

/**
 * What replacing `before` with `after` changes in phases that had started at `now` (pure): those changes
 * touch submissions already made, so `lpcv competition apply` asks for --force and audits them. Phases that
 * have not started may change freely.
 */
export function startedPhaseChanges(before: readonly Phase[], after: readonly Phase[], now: number): StartedPhaseChange[] {
  const out: StartedPhaseChange[] = [];
  for (const old of before) {
    if (old.startAt > now) continue;
    const next = after.find((p) => p.name === old.name);
    if (next === undefined) {
      out.push({ phase: old.name, change: 'removed', keys: [] });
      continue;
    }
    const keys = KEYS.filter((k) => JSON.stringify(old[k]) !== JSON.stringify(next[k]));
    if (keys.length > 0) out.push({ phase: old.name, change: 'changed', keys });
  }
  return out;
}
