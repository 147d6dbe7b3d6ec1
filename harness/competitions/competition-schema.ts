import { z } from 'zod';
import { NOTIFICATION_EVENTS } from './notification-events.js';

/**
 * The schema of a competition bundle (competitions/<name>/competition.yaml; docs/running-a-competition.md).
 * Unknown keys are refused. What needs more than one key (end after start, rounds inside their phase, phases
 * of one track apart, tracks that exist) is checked by competitionProblems once the tracks are loaded.
 */

const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a name of lower-case letters, digits, - and _ (at most 63), starting with a letter or digit');

/** ISO 8601 with a time and a zone: "2025-03-01T00:00:00Z", "2025-03-01T09:00-05:00". */
export const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const instant = z
  .string({ error: 'an ISO 8601 time with a zone, e.g. "2025-03-01T00:00:00Z" (quote it in YAML)' })
  .regex(ISO_WITH_ZONE, 'an ISO 8601 time with a zone, e.g. "2025-03-01T00:00:00Z" or "2025-03-01T09:00:00-05:00"')
  .refine(existingTime, 'a time that exists (month 1-12, a day of that month, hour 0-23, minute and second 0-59, zone offset up to 14:00)');

/** Whether the fields name a real time: Date.parse alone is lenient (it reads "2025-02-30" as 2 March). */
function existingTime(s: string): boolean {
  if (!ISO_WITH_ZONE.test(s)) return true; // the format's own message says what is wrong
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(s);
  const zone = /([+-])(\d{2}):(\d{2})$/.exec(s);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const zoneOk = zone === null || (Number(zone[2]) <= 14 && Number(zone[3]) <= 59);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 && zoneOk && Number.isFinite(Date.parse(s));
}

const limit = z.number().int().nonnegative();

const roundSchema = z.strictObject({ name: slug, start: instant, end: instant });

export const phaseSchema = z.strictObject({
  name: slug,
  title: z.string().min(1).optional(),
  tracks: z.array(z.string().min(1)).min(1),
  start: instant,
  end: instant,
  board: z.enum(['public', 'private']).default('private'),
  boardVisible: z.boolean().default(true),
  reveal: z.enum(['auto', 'manual']).default('manual'),
  quota: z.strictObject({ perDay: limit.optional(), total: limit.optional(), failed: limit.optional() }).default({}),
  rounds: z.array(roundSchema).default([]),
});

export const webhookSchema = z.strictObject({
  url: z
    .string()
    .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'an http:// or https:// URL')
    .refine((s) => !URL.canParse(s) || new URL(s).username === '', 'a URL without credentials (the secret goes in secretEnv)'),
  secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'the name of an environment variable (upper case, digits, _) that holds the signing secret'),
  events: z.array(z.enum(NOTIFICATION_EVENTS)).min(1),
});

export const competitionSchema = z.strictObject({
  name: slug,
  title: z.string().min(1),
  /** Track files (relative to the bundle's folder) or names of built-in tracks. */
  tracks: z.array(z.string().min(1)).min(1),
  phases: z.array(phaseSchema).min(1),
  webhooks: z.array(webhookSchema).default([]),
  /**
   * Who may sign up (docs/accounts.md): `open` (anyone with a verified address), `approval` (new teams wait
   * for an organizer), `closed` (no new accounts or teams; organizers still add teams with lpcv admin team
   * add). `allowedDomains`: only addresses at these domains (and their subdomains) may sign up; empty: any.
   */
  registration: z
    .strictObject({
      mode: z.enum(['open', 'approval', 'closed']).default('open'),
      allowedDomains: z
        .array(z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'a domain name in lower case, e.g. example.edu'))
        .default([]),
    })
    .default({ mode: 'open', allowedDomains: [] }),
});

export type CompetitionFile = z.infer<typeof competitionSchema>;
