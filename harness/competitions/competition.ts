/**
 * A competition as the harness and the server use it: the bundle file validated (competition-schema.ts),
 * times as epoch ms, tracks by name. This is also what `lpcv competition apply` stores (competitions.bundle_json).
 */
import type { NotificationEvent } from './notification-events.js';

export type PhaseBoard = 'public' | 'private';
export type PhaseReveal = 'auto' | 'manual';

export interface Round {
  readonly name: string;
  /** Epoch ms, inclusive. */
  readonly startAt: number;
  /** Epoch ms, exclusive. */
  readonly endAt: number;
}

/** A phase's submission limits per team and track; null: no such limit (perDay null: the server's daily quota). */
export interface PhaseQuota {
  readonly perDay: number | null;
  readonly total: number | null;
  /** Submissions that failed by the submission's fault; infrastructure failures never count. */
  readonly failed: number | null;
}

export interface Phase {
  readonly name: string;
  readonly title: string;
  /** Track names. */
  readonly tracks: readonly string[];
  /** Epoch ms, inclusive. */
  readonly startAt: number;
  /** Epoch ms, exclusive. */
  readonly endAt: number;
  /** Which board ranks the phase: the track's public leaderboard split, or its private split. */
  readonly board: PhaseBoard;
  /** Whether participants see the board while the phase is open (admins always do). */
  readonly boardVisible: boolean;
  /** auto: the private board is shown to everyone once the phase has ended. */
  readonly reveal: PhaseReveal;
  readonly quota: PhaseQuota;
  readonly rounds: readonly Round[];
}

export interface WebhookSubscription {
  readonly url: string;
  /** The environment variable of the server that holds the signing secret (never the secret itself). */
  readonly secretEnv: string;
  readonly events: readonly NotificationEvent[];
}

export interface Registration {
  readonly mode: 'open' | 'approval' | 'closed';
  /** Lower-case domains; empty: any. */
  readonly allowedDomains: readonly string[];
}

export interface Competition {
  readonly name: string;
  readonly title: string;
  /** Track names, in the bundle's order. */
  readonly tracks: readonly string[];
  readonly phases: readonly Phase[];
  readonly webhooks: readonly WebhookSubscription[];
  /** Absent in bundles applied before accounts existed: then open. */
  readonly registration?: Registration;
}
