/**
 * The `phase.opened` and `phase.closed` events (docs/webhooks.md): the server's sweep (every reaper pass)
 * enqueues each transition it finds within the last `windowMs`; the event id makes a transition seen by many
 * passes, or by two server processes, one event. A transition older than the window (a competition applied
 * after its phases began, a server down for longer) is not announced late.
 */
import type { Competition } from '../../harness/competitions/competition.js';
import type { Db } from '../db/index.js';
import type { EnqueueEvent } from './submission-outcome.js';
import type { WebhookEvent } from './webhook-events.js';

export const PHASE_EVENT_WINDOW_MS = 24 * 3_600_000;

/** The transitions of the competition's phases in (now - windowMs, now] (pure). */
export function phaseTransitions(c: Competition, now: number, windowMs = PHASE_EVENT_WINDOW_MS): WebhookEvent[] {
  const events: WebhookEvent[] = [];
  for (const p of c.phases) {
    const data = {
      competition: c.name,
      phase: p.name,
      startAt: new Date(p.startAt).toISOString(),
      endAt: new Date(p.endAt).toISOString(),
      tracks: [...p.tracks],
    };
    const within = (t: number): boolean => t <= now && t > now - windowMs;
    if (within(p.startAt)) events.push({ id: `phase.opened:${c.name}:${p.name}:${p.startAt}`, name: 'phase.opened', at: p.startAt, data });
    if (within(p.endAt)) events.push({ id: `phase.closed:${c.name}:${p.name}:${p.endAt}`, name: 'phase.closed', at: p.endAt, data });
  }
  return events;
}

export async function notifyPhaseTransitions(db: Db, enqueue: EnqueueEvent, c: Competition | null, now: number): Promise<void> {
  if (c === null) return;
  for (const event of phaseTransitions(c, now)) await enqueue(event, db);
}
