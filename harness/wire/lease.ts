import { z } from 'zod';
import { LpcvError } from '../../errors/lpcv-error.js';
import { describeIssues } from '../schema-issues.js';
import type { Track } from '../tracks/track.js';
import { trackForAgents, type AgentTrack } from './agent-track.js';

/** A lease lasts this long when the agent does not say; agents heartbeat well within it. */
export const DEFAULT_LEASE_MS = 60_000;
export const MIN_LEASE_MS = 1_000;
export const MAX_LEASE_MS = 60 * 60_000;

/** A lease length an agent may ask for (leases and heartbeats). */
export const leaseMsSchema = z.number().int().min(MIN_LEASE_MS).max(MAX_LEASE_MS);
/** What the lease answer hands out and heartbeats, completions and failures give back. */
export const leaseTokenSchema = z.string().min(1).max(200);

/** POST /api/agent/lease: a job for one of the agent's devices, for `leaseMs` (default DEFAULT_LEASE_MS). */
export const leaseRequestSchema = z.strictObject({ deviceId: z.number().int().positive(), leaseMs: leaseMsSchema.optional() });
export type LeaseRequest = z.infer<typeof leaseRequestSchema>;

const download = { url: z.string().startsWith('/'), sha256: z.string(), bytes: z.number().int().nonnegative() };

/**
 * The 200 answer of POST /api/agent/lease (docs/api.md, "Lease"). Unknown keys are ignored (a newer server
 * may say more). The track is only an object here: it is checked when the job runs (parseAgentTrack), so that
 * a track this agent cannot take fails the job with the reason instead of leaving it leased.
 */
export const leaseAnswerSchema = z.object({
  job: z.object({
    id: z.number().int().positive(),
    submissionId: z.string().min(1),
    track: z.string().min(1),
    split: z.string().min(1),
    leaseToken: z.string().min(1),
    leaseExpiresAt: z.number(),
    attempt: z.number().int().positive(),
  }),
  track: z.record(z.string(), z.unknown()),
  artifact: z.object({ ...download, format: z.string() }),
  inputs: z.object({ ...download, count: z.number().int().nonnegative() }),
  /** The track's adversarial sets of the job's split (docs/robustness.md), each an input pack like `inputs`. */
  robustnessInputs: z.array(z.object({ split: z.string().min(1), ...download, count: z.number().int().nonnegative() })).optional(),
  /** The track's reference model (`protocol.reference`, one of its baselines), timed beside the submission in every trial. */
  reference: z.object({ name: z.string().min(1), ...download, format: z.string() }).optional(),
});

/** The lease answer as an agent has read it: its track not yet checked. */
export type ReceivedLease = z.infer<typeof leaseAnswerSchema>;
/** The lease answer as the server sends it. */
export type LeaseAnswer = Omit<ReceivedLease, 'track'> & { readonly track: AgentTrack };

/** An input pack the server holds (server/scoring's InputPackCache): what the agent needs to fetch and check it. */
export interface InputPackRef {
  readonly sha256: string;
  readonly bytes: number;
  readonly count: number;
}

export interface LeaseAnswerArgs {
  readonly job: ReceivedLease['job'];
  /** The server's whole track: the answer carries what agents may see of it (trackForAgents). */
  readonly track: Track;
  readonly artifact: { readonly sha256: string; readonly bytes: number; readonly format: string };
  readonly inputs: InputPackRef;
  /** The track's adversarial sets of the job's split, by robustness split name (`test~<set>`). */
  readonly robustnessInputs?: readonly (InputPackRef & { readonly split: string })[];
  /** The track's reference model as the server stores it (its artifact store serves it by sha256). */
  readonly reference?: { readonly name: string; readonly sha256: string; readonly bytes: number; readonly format: string };
}

/** The server's side: the lease answer, with the download routes of the artifact and the input packs. */
export function leaseAnswer(a: LeaseAnswerArgs): LeaseAnswer {
  const track = trackForAgents(a.track);
  const inputsUrl = (split: string): string => `/api/inputs/${encodeURIComponent(track.name)}/${encodeURIComponent(split)}`;
  const answer: LeaseAnswer = {
    job: a.job,
    track,
    artifact: { url: `/api/artifacts/${a.artifact.sha256}`, sha256: a.artifact.sha256, bytes: a.artifact.bytes, format: a.artifact.format },
    inputs: { url: inputsUrl(a.job.split), sha256: a.inputs.sha256, bytes: a.inputs.bytes, count: a.inputs.count },
  };
  const robustness =
    a.robustnessInputs === undefined || a.robustnessInputs.length === 0
      ? {}
      : { robustnessInputs: a.robustnessInputs.map((r) => ({ split: r.split, url: inputsUrl(r.split), sha256: r.sha256, bytes: r.bytes, count: r.count })) };
  const reference =
    a.reference === undefined
      ? {}
      : {
          reference: {
            name: a.reference.name,
            url: `/api/artifacts/${a.reference.sha256}`,
            sha256: a.reference.sha256,
            bytes: a.reference.bytes,
            format: a.reference.format,
          },
        };
  return { ...answer, ...robustness, ...reference };
}

/** The agent's side: the lease answer's envelope, or LPCV_E_INTERNAL (the server answered something else). */
export function parseLeaseAnswer(body: unknown): ReceivedLease {
  const parsed = leaseAnswerSchema.safeParse(body);
  if (!parsed.success) {
    throw new LpcvError('LPCV_E_INTERNAL', `the server's lease answer is malformed: ${describeIssues(parsed.error.issues, { max: 3, topLevel: '(body)' })}`);
  }
  return parsed.data;
}
