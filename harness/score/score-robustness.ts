import type { LabelSet } from '../datasets/types.js';
import { robustnessSplitsOf } from '../datasets/corruptions/robustness-splits.js';
import type { Measurement } from '../measurement.js';
import type { RobustnessRecord } from '../result-record.js';
import type { Track } from '../tracks/track.js';
import { scorePredictions } from './score-predictions.js';

/**
 * The record's `robustness` (docs/robustness.md): each robustness split the track declares for `split`
 * scored against the clean split's labels with scorePredictions, the same metric code as the clean split.
 * Undefined when the track declares none for this split. Predictions for splits the track does not (or no
 * longer) declare are ignored, so a re-score after the track's robustness block changed still works; a
 * declared split without predictions is listed in notMeasured (with the run's reason when it gave one),
 * and robustAccuracy is then null, never a mean over fewer splits than declared.
 */
export async function scoreRobustness(
  track: Track,
  split: string,
  m: Pick<Measurement, 'robustness' | 'robustnessSkipped'>,
  labels: LabelSet,
): Promise<RobustnessRecord | undefined> {
  const declared = robustnessSplitsOf(track, split);
  if (declared.length === 0) return undefined;
  const splits: Record<string, Record<string, number>> = {};
  const adversarial: Record<string, Record<string, number>> = {};
  const notMeasured: Record<string, string> = {};
  for (const s of declared) {
    const predictions = m.robustness && Object.hasOwn(m.robustness, s.name) ? m.robustness[s.name] : undefined;
    if (predictions === undefined) {
      notMeasured[s.name] = m.robustnessSkipped?.[s.name] ?? 'the run did not measure it';
      continue;
    }
    const { accuracy } = await scorePredictions(track, predictions, labels);
    (s.kind === 'corruption' ? splits : adversarial)[s.name] = accuracy;
  }
  const scored = [...Object.values(splits), ...Object.values(adversarial)];
  const metric = track.metrics.find((k) => scored.every((a) => Object.hasOwn(a, k))) ?? track.metrics[0]!;
  const corrupted = declared.filter((s) => s.kind === 'corruption');
  const values = corrupted.map((s) => splits[s.name]?.[metric]);
  const complete = values.length > 0 && values.every((v): v is number => v !== undefined);
  return {
    metric,
    splits,
    robustAccuracy: complete ? values.reduce((a, b) => a + b, 0) / values.length : null,
    adversarial,
    ...(Object.keys(notMeasured).length > 0 ? { notMeasured } : {}),
  };
}
