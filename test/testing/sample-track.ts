import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** The sample track's file without its baselines, and so without the reference model that names one of them. */
export function sampleTrackWithoutBaselines(): Record<string, unknown> & { protocol: Record<string, unknown> } {
  const { baselines: _baselines, protocol, ...rest } = sampleTrackJson();
  const { reference: _reference, ...unpaired } = protocol;
  return { ...rest, protocol: unpaired };
}
