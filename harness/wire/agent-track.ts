import { z } from 'zod';
import { LpcvError } from '../../errors/lpcv-error.js';
import { describeIssues } from '../schema-issues.js';
import { trackSchema } from '../tracks/track-schema.js';
import type { Track } from '../tracks/track.js';

/**
 * The track as agents see it (the lease's `track`, docs/api.md "Lease"): the track file without its data set
 * (where the labels are), its baselines, and the server's own paths. Everything a target needs to run a job
 * (input, output, task, classes, protocol, limits, target, power, robustness) is there; what is not cannot be
 * read on an agent, and the type says so.
 */
export type AgentTrack = Omit<Track, 'dataset' | 'baselines' | 'file' | 'dir'>;

/** The track as the server sends it to agents. */
export function trackForAgents(track: Track): AgentTrack {
  const { dataset: _dataset, baselines: _baselines, file: _file, dir: _dir, ...forAgents } = track;
  return forAgents;
}

const { dataset: _dataset, baselines: _baselines, ...agentFields } = trackSchema.shape;
const agentTrackObject = z.strictObject(agentFields);

/**
 * A track file's schema without `dataset` and `baselines`, with the track file's own cross-key checks (splits,
 * per-channel mean and std, maxRuns, leaderboard splits, robustness). zod refuses to `omit` keys from a
 * refined object, since a check might read them; these read neither (`baselines` only when present), so they
 * are carried over as they are, typed for the smaller object. The wire test parses a real track with them.
 */
export const agentTrackSchema = agentTrackObject.check(...((trackSchema.def.checks ?? []) as z.core.$ZodCheck<z.output<typeof agentTrackObject>>[]));

/**
 * The lease's track, checked against the track file's schema (less what agents never get). A track this agent
 * cannot read (a newer server's key, a dataset it must never get) is LPCV_E_TRACK_INVALID naming every key.
 */
export function parseAgentTrack(value: unknown): AgentTrack {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LpcvError('LPCV_E_TRACK_INVALID', 'the lease carries no track object');
  }
  const parsed = agentTrackSchema.safeParse(value);
  if (!parsed.success) {
    throw new LpcvError('LPCV_E_TRACK_INVALID', describeIssues(parsed.error.issues, { file: 'the leased track', max: Number.POSITIVE_INFINITY }));
  }
  return parsed.data;
}
