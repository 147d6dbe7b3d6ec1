import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OnnxTarget } from '../devices/desktop/onnx-target.js';
import { adversarialInputs, robustnessSplitsOf } from '../harness/datasets/corruptions/robustness-splits.js';
import { loadLabels, openInputs } from '../harness/datasets/open-split.js';
import type { InputSet } from '../harness/datasets/types.js';
import type { Predictions } from '../harness/measurement.js';
import type { RawSamples, ResultRecord } from '../harness/result-record.js';
import { completionOfRun, scoreCompletionWithClasses } from '../harness/score/score-completion.js';
import { taskNamed } from '../harness/tasks/task-registry.js';
import type { Track } from '../harness/tracks/track.js';
import { assertValid, validateModel } from '../submissions/validate/validate-model.js';

export interface ScoreOptions {
  modelPath: string;
  track: Track;
  split: string;
  /** Intra-op threads; the track's protocol.threads by default. */
  threads?: number;
  /** Exactly this many timed runs per trial (overrides the track's minimum count and duration). */
  runs?: number;
  warmup?: number;
  /** Independent trials (fresh inference processes); the track's protocol.trials by default. */
  trials?: number;
  timeoutMs?: number;
  onProgress?: (p: { phase: string; done?: number; total?: number; fraction: number; trial?: number; split?: string }) => void;
  /** Run the track's robustness splits of this split, adversarial sets included (default true; docs/robustness.md). */
  robustness?: boolean;
}

export interface ScoreOutcome {
  record: ResultRecord;
  raw: RawSamples;
  perClass: unknown[];
  warnings: string[];
  /** The run's predictions. */
  predictions: Predictions;
  /** Writes the predictions where `--predictions` says, in the format `lpcv evaluate` reads for the task. */
  writePredictions(target: string): Promise<void>;
}

/**
 * `lpcv score`: validate the model against the track, run it on the desktop target exactly as a device agent
 * does (devices/desktop/onnx-target.ts: the same Target, the same trials, the same reference pairing), then
 * score the run with the labels by the server's own function (harness/score/score-completion.ts). The labels
 * are read only after the target has returned: the processes that run the model never have them.
 */
export async function runScore(opts: ScoreOptions): Promise<ScoreOutcome> {
  const startedAt = new Date().toISOString();
  const track = trackAsRun(opts);
  const { split } = opts;
  const report = validateModel(opts.modelPath, track);
  assertValid(report);
  const inputs = await openInputs(track, split);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'lpcv-score-'));
  try {
    const run = await new OnnxTarget().run({
      jobId: 0,
      track,
      split,
      artifact: { file: report.model.path, sha256: report.model.sha256, bytes: report.model.bytes, format: 'onnx' },
      inputs,
      ...(opts.robustness === false
        ? { skipRobustness: 'skipped (lpcv score --no-robustness)' }
        : { adversarialInputs: await localAdversarialSets(track, split, inputs) }),
      ...(referenceOf(track) ?? {}),
      signal: new AbortController().signal,
      log: () => {},
      onProgress: (p) => opts.onProgress?.(p),
      workDir,
    });
    const labels = await loadLabels(track, split);
    const completion = completionOfRun(run, { startedAt, finishedAt: new Date().toISOString() });
    const model = { path: report.model.path, sha256: report.model.sha256, bytes: report.model.bytes, format: 'onnx' as const };
    const { record, perClass } = await scoreCompletionWithClasses({ track, split, model, completion, labels });
    const m = run.measurement;
    return {
      record,
      raw: { latencyMs: m.latencyMs, warmupMs: m.warmupMs, preprocessMs: m.preprocessMs, power: [], ...(m.trials ? { trials: m.trials } : {}) },
      perClass,
      warnings: report.warnings,
      predictions: m.predictions,
      writePredictions: (target) => taskNamed(labels.task).writePredictions(target, m.predictions, labels, track),
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * The track as this run applies it: the command line's overrides in its protocol. `--runs N` is per trial:
 * exactly N timed runs in each (no duration minimum); `--trials N` replaces the track's trial count.
 */
export function trackAsRun(opts: Pick<ScoreOptions, 'track' | 'threads' | 'runs' | 'warmup' | 'trials' | 'timeoutMs'>): Track {
  const p = opts.track.protocol;
  const protocol = {
    ...p,
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
    ...(opts.warmup !== undefined ? { warmupRuns: opts.warmup } : {}),
    ...(opts.runs !== undefined ? { minRuns: opts.runs, maxRuns: opts.runs, minDurationMs: 0 } : {}),
    ...(opts.trials !== undefined ? { trials: opts.trials } : {}),
  };
  const limits = opts.timeoutMs !== undefined ? { ...opts.track.limits, runTimeoutMs: opts.timeoutMs } : opts.track.limits;
  return { ...opts.track, protocol, limits };
}

/** The track's reference model, from its own baselines (a path relative to the track file). */
function referenceOf(track: Track): { reference: { name: string; file: string; sha256: string } } | undefined {
  const name = track.protocol.reference;
  if (name === undefined) return undefined;
  const baseline = track.baselines?.find((b) => b.name === name);
  // The loader refused a reference that names no baseline or whose file is missing.
  if (baseline === undefined) return undefined;
  const file = path.resolve(track.dir, baseline.file);
  return { reference: { name, file, sha256: validateModel(file, track).model.sha256 } };
}

/** Locally the adversarial sets are read from the track's folder (an agent gets them as input packs instead). */
async function localAdversarialSets(track: Track, split: string, clean: InputSet): Promise<Record<string, InputSet>> {
  const out: Record<string, InputSet> = {};
  for (const s of robustnessSplitsOf(track, split)) if (s.kind === 'adversarial') out[s.name] = await adversarialInputs(s, clean);
  return out;
}
