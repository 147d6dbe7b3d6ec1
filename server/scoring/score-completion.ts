import { buildResultRecord } from '../../harness/score/build-record.js';
import { scorePredictions } from '../../harness/score/score-predictions.js';
import { scoreRobustness } from '../../harness/score/score-robustness.js';
import type { LabelSet } from '../../harness/datasets/types.js';
import type { ResultRecord } from '../../harness/result-record.js';
import type { Track } from '../../harness/tracks/track.js';
import type { Completion } from '../../harness/wire/index.js';

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
 * The result record of a device run: the same scorePredictions and buildResultRecord as `lpcv score`
 * (docs/protocol.md: the local score and the server's come from the same code). Throws the scorer's coded errors
 * (LPCV_E_PRED_MISMATCH, LPCV_E_MODEL_OUTPUT_SHAPE: the submission's fault). Used on completion and to
 * re-score a stored result from its raw_json.
 */
export async function scoreCompletion(args: ScoreCompletionArgs): Promise<ResultRecord> {
  const { track, split, model, completion, labels } = args;
  const m = completion.measurement;
  const { accuracy } = await scorePredictions(track, m.predictions, labels);
  // Robustness splits carry the clean split's ids, so the same labels score them (docs/robustness.md).
  const robustness = await scoreRobustness(track, split, m, labels);
  return buildResultRecord({
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
    startedAt: completion.startedAt,
    finishedAt: completion.finishedAt,
  });
}
