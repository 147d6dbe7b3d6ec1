import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';

const SAMPLE_DIR = fileURLToPath(new URL('../../tracks/fashion-mnist/', import.meta.url));

/**
 * The sample track's file (tracks/fashion-mnist/track.json) as a starting point for a test's own track file in
 * a temporary folder. Its baselines' files are made absolute (the sample names them relative to its own
 * folder), so that a copy written elsewhere still names files that exist and its `protocol.reference` still
 * loads; its data set stays relative (tests that keep it point it at the sample's folder themselves).
 */
export function sampleTrackJson(): Record<string, unknown> & { protocol: Record<string, unknown>; baselines: { name: string; file: string }[] } {
  const sample = JSON.parse(readFileSync(path.join(SAMPLE_DIR, 'track.json'), 'utf8')) as ReturnType<typeof sampleTrackJson>;
  return { ...sample, baselines: sample.baselines.map((b) => ({ ...b, file: path.resolve(SAMPLE_DIR, b.file) })) };
}

/**
 * The sample track's file without its baselines, and so without the reference model that names one of them: no
 * reference latency either, and a score by the mean latency (the published accuracy-per-time rule), since a
 * calibrated latency needs the reference.
 */
export function sampleTrackWithoutBaselines(): Record<string, unknown> & { protocol: Record<string, unknown>; score: Record<string, unknown> } {
  const {
    baselines: _baselines,
    protocol,
    score,
    ...rest
  } = sampleTrackJson() as ReturnType<typeof sampleTrackJson> & { score: { params: Record<string, unknown> } };
  const { reference: _reference, referenceLatencyMs: _referenceLatencyMs, ...unpaired } = protocol;
  const { latency: _latency, ...params } = score.params;
  return { ...rest, protocol: unpaired, score: { ...score, params } };
}

/**
 * The sample track as loaded (resolveTrack), scored by the published accuracy-per-time rule: top-1 over the mean
 * latency instead of the calibrated latency the sample track uses. For tests whose completions are made by hand
 * (no reference paired, so no calibrated latency) or whose subject is the record and not the formula.
 */
export function sampleTrackScoredByMean(): Track {
  const track = resolveTrack('fashion-mnist');
  const { latency: _latency, ...params } = track.score.params ?? {};
  return { ...track, score: { ...track.score, params } };
}
