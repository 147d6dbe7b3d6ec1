/**
 * The `track_reveals` rows (migration 0005): an admin's decision to show a track's hidden-split results to
 * everyone. Until then they are shown to their own team and to admins only (docs/leaderboard.md).
 */
import type { Db } from '../db/index.js';

export interface Reveal {
  readonly track: string;
  /** Epoch ms. */
  readonly revealedAt: number;
  /** Who did it, e.g. "admin". */
  readonly revealedBy: string;
}

/** Reveals the track's results (idempotent: a second reveal keeps the first one's time). */
export async function revealTrack(db: Db, track: string, by: string, now: number): Promise<Reveal> {
  await db('track_reveals').insert({ track, revealed_at: now, revealed_by: by }).onConflict('track').ignore();
  return (await trackReveal(db, track))!;
}

/** Hides the track's hidden-split results again. Answers whether they were revealed. */
export async function hideTrack(db: Db, track: string): Promise<boolean> {
  return (await db('track_reveals').where('track', track).delete()) > 0;
}

export async function trackReveal(db: Db, track: string): Promise<Reveal | null> {
  const row = (await db('track_reveals').where('track', track).first()) as { track: string; revealed_at: number; revealed_by: string } | undefined;
  return row === undefined ? null : { track: row.track, revealedAt: row.revealed_at, revealedBy: row.revealed_by };
}
