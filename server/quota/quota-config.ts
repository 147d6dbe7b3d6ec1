/**
 * How many submissions a team may make on a track per UTC day. A submission counts unless its job failed
 * for infrastructure reasons (docs/api.md, "Quotas"). 0 means unlimited.
 */
export interface QuotaConfig {
  /** Submissions per team per track per UTC day, for every track without an override (0: unlimited). */
  readonly perDay: number;
  /** Per-track overrides by track name (0: unlimited on that track). */
  readonly perTrack?: Readonly<Record<string, number>>;
}

/** The default: 5 submissions per team per track per UTC day. */
export const DEFAULT_QUOTA: QuotaConfig = { perDay: 5 };

/** No quota at all. */
export const UNLIMITED_QUOTA: QuotaConfig = { perDay: 0 };

function checkLimit(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`quota: ${what} must be a whole number >= 0 (0 = unlimited), got ${value}`);
  return value;
}

/** The track's daily limit (0: unlimited). Throws on a limit that is not a whole number >= 0. */
export function quotaLimitFor(config: QuotaConfig, track: string): number {
  const override = config.perTrack !== undefined && Object.hasOwn(config.perTrack, track) ? config.perTrack[track] : undefined;
  return override === undefined ? checkLimit(config.perDay, 'perDay') : checkLimit(override, `perTrack[${JSON.stringify(track)}]`);
}

/** Throws unless every limit in the config is a whole number >= 0 (createApp calls it at start). */
export function validateQuotaConfig(config: QuotaConfig): QuotaConfig {
  checkLimit(config.perDay, 'perDay');
  for (const [track, limit] of Object.entries(config.perTrack ?? {})) checkLimit(limit, `perTrack[${JSON.stringify(track)}]`);
  return config;
}
