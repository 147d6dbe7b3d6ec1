import { buildResultRecord } from './build-record.js';
import { scorePredictions } from './score-predictions.js';
import type { AccuracyResult } from '../tasks/task-definition.js';
import { scoreRobustness } from './score-robustness.js';
import type { LabelSet } from '../datasets/types.js';
import type { ResultRecord } from '../result-record.js';
import type { Track } from '../tracks/track.js';
import { DEFAULT_ENERGY_NOTE, type CompletedRun, type Completion } from '../wire/index.js';

export interface ScoreCompletionArgs {
  readonly track: Track;
  readonly split: string;
  /** The submitted artifact, as the record names it. */
  readonly model: ResultRecord['model'];
  readonly completion: Completion;
  /** The split's labels (on the server, the hidden ones: loadLabels). */
  readonly labels: LabelSet;
}

/**
 * A device run as the scorer takes it, without the wire in between: what `lpcv score` hands scoreCompletion
 * for the run it made itself. An agent's run reaches the server as the same Completion through
 * encodeCompletion and parseCompletion (harness/wire/completion.ts); the two give the same record.
 */
export function completionOfRun(run: CompletedRun, times: { readonly startedAt: string; readonly finishedAt: string }): Completion {
  return {
    measurement: run.measurement,
    target: run.target,
    energy: run.energy,
    ...(run.energy === null ? { energyNote: run.energyNote ?? DEFAULT_ENERGY_NOTE } : {}),
    power: run.energy === null ? [] : (run.power ?? []).map((s) => ({ t: s.t, watts: s.watts })),
    startedAt: times.startedAt,
    finishedAt: times.finishedAt,
  };
}

/**
 * The result record of a device run: the same scorePredictions and buildResultRecord as `lpcv score`
 * (docs/protocol.md: the local score and the server's come from the same code). Throws the scorer's coded errors
 * (LPCV_E_PRED_MISMATCH, LPCV_E_MODEL_OUTPUT_SHAPE: the submission's fault). Used on completion and to
 * re-score a stored result from its raw_json.
 */
export async function scoreCompletion(args: ScoreCompletionArgs): Promise<ResultRecord> {
  return (await scoreCompletionWithClasses(args)).record;
}

/** scoreCompletion, with the per-class figures that `lpcv score` prints beside the record. */
export async function scoreCompletionWithClasses(args: ScoreCompletionArgs): Promise<{ record: ResultRecord; perClass: AccuracyResult['perClass'] }> {
  const { track, split, model, completion, labels } = args;
  const m = completion.measurement;
  const { accuracy, perClass } = await scorePredictions(track, m.predictions, labels);
  // Robustness splits carry the clean split's ids, so the same labels score them (docs/robustness.md).
  const robustness = await scoreRobustness(track, split, m, labels);
  const record = buildResultRecord({
    track,
    split,
    model,
    target: completion.target,
    accuracy,
    latencyMs: m.latencyMs,
    preprocessMs: m.preprocessMs,
    protocol: m.protocol,
    accuracyImages: labels.ids.length,
    energy: completion.energy,
    ...(completion.energyNote === undefined ? {} : { energyNote: completion.energyNote }),
    ...(m.wall ? { wall: m.wall } : {}),
    ...(robustness ? { robustness } : {}),
    v2: { trials: m.trials, reference: m.reference, offline: m.offline, applied: m.applied, profile: m.profile },
    startedAt: completion.startedAt,
    finishedAt: completion.finishedAt,
  });
  return { record, perClass };
}
