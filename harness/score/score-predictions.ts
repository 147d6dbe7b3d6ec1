import { LpcvError } from '../../errors/lpcv-error.js';
import type { LabelSet } from '../datasets/types.js';
import type { Predictions } from '../measurement.js';
import type { AccuracyResult } from '../tasks/task-definition.js';
import { taskNamed } from '../tasks/task-registry.js';
import type { Track } from '../tracks/track.js';

/**
 * Score a device's predictions with the labels (on the server, the hidden ones) by the labels' task
 * (harness/tasks/). The predictions must be for exactly the labels' images, in the same order, and of the
 * labels' task: anything else is LPCV_E_PRED_MISMATCH.
 */
export async function scorePredictions(track: Track, predictions: Predictions, labels: LabelSet): Promise<AccuracyResult> {
  const n = labels.ids.length;
  if (predictions.ids.length !== n || predictions.ids.some((id, i) => id !== labels.ids[i])) {
    throw new LpcvError('LPCV_E_PRED_MISMATCH', `predictions cover ${predictions.ids.length} images, the split has ${n} (ids must match in order)`);
  }
  const task = taskNamed(labels.task);
  if (predictions.kind !== task.predictionKind) {
    throw new LpcvError('LPCV_E_PRED_MISMATCH', `${predictions.kind} predictions cannot be scored against ${labels.task} labels`);
  }
  return task.score(track, predictions, labels);
}
