/**
 * For tests (not used by the server): track files written to a temporary folder, made from the sample track
 * (tracks/fashion-mnist/track.json) with its data set and baselines named by absolute paths, so that a test
 * can give a track a reference model (`protocol.reference`), its own trials and a target kind of its own
 * (jobs of that kind are leased only by the test's own devices, whatever else the suite queued).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_TRACKS_DIR, loadTrackFile } from '../../../harness/tracks/load-track.js';
import type { Track } from '../../../harness/tracks/track.js';

const SAMPLE_DIR = path.join(BUILTIN_TRACKS_DIR, 'fashion-mnist');

/** The sample track's baseline model files, by baseline name (absolute paths). */
export function sampleBaselineFile(name: string): string {
  const sample = JSON.parse(readFileSync(path.join(SAMPLE_DIR, 'track.json'), 'utf8')) as { baselines: { name: string; file: string }[] };
  const baseline = sample.baselines.find((b) => b.name === name);
  if (baseline === undefined) throw new Error(`the sample track has no baseline ${name}`);
  return path.resolve(SAMPLE_DIR, baseline.file);
}

export interface TestTrackSpec {
  /** The track's name, and its file's folder under `dir`. */
  readonly name: string;
  /** `target.kind`: only devices of this kind lease its jobs. */
  readonly kind: string;
  /** `protocol.trials`. */
  readonly trials: number;
  /** Baselines to list: the sample track's (by name, with its absolute file), or any model file. */
  readonly baselines: readonly (string | { readonly name: string; readonly file: string })[];
  /** `protocol.reference`: one of `baselines`, or none. */
  readonly reference?: string;
  /** Hidden split `test` of this many images (after 100 public ones, `val`): small input packs. Default 100. */
  readonly images?: number;
}

/** Writes `<dir>/<name>/track.json` from the sample track and loads it as the server does (loadTrackFile). */
export function writeTestTrack(dir: string, spec: TestTrackSpec): Track {
  const sample = JSON.parse(readFileSync(path.join(SAMPLE_DIR, 'track.json'), 'utf8')) as Record<string, unknown> & {
    dataset: Record<string, string>;
    protocol: Record<string, unknown>;
    score: { params: Record<string, unknown> };
  };
  const images = spec.images ?? 100;
  // The sample track's own reference (and its calibration) may name a baseline this track does not list.
  const { reference: _reference, referenceLatencyMs: _calibration, ...protocol } = sample.protocol;
  // Without the calibration the score is the published rule's, by the mean latency.
  const { latency: _latency, ...params } = sample.score.params;
  const track = {
    ...sample,
    name: spec.name,
    dataset: { ...sample.dataset, images: path.join(SAMPLE_DIR, sample.dataset.images!), labels: path.join(SAMPLE_DIR, sample.dataset.labels!) },
    splits: {
      val: { start: 0, count: 100, visibility: 'public' },
      test: { start: 100, count: images, visibility: 'hidden' },
    },
    protocol: { ...protocol, trials: spec.trials, ...(spec.reference === undefined ? {} : { reference: spec.reference }) },
    score: { ...sample.score, params },
    target: { kind: spec.kind },
    baselines: spec.baselines.map((b) => (typeof b === 'string' ? { name: b, file: sampleBaselineFile(b) } : b)),
  };
  const file = path.join(dir, spec.name, 'track.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(track, null, 2));
  return loadTrackFile(file);
}
