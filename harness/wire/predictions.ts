import { z } from 'zod';
import type { ErrorCode } from '../../errors/codes.js';
import type { Predictions } from '../measurement.js';
import { topkPredictionsSchema } from '../tasks/classification-task.js';
import { detectionPredictionsSchema } from '../tasks/detection-task.js';
import { labelMapPredictionsSchema } from '../tasks/segmentation-task.js';
import { taskOfPredictions } from '../tasks/task-registry.js';

/**
 * Predictions as completions carry them (docs/api.md, "Heartbeat, complete, fail"), each kind in its task's codec
 * (harness/tasks/): top-k lists and detections (boxes as corners in input pixels, finite numbers, at most
 * MAX_DETECTIONS_PER_IMAGE an image) as they are, label maps as base64 of their uint8 or uint16 little-endian
 * values, row by row. One function each way; the schema checks the shapes, decodePredictions what a shape
 * cannot say (one entry per id, a map's byte count).
 */

export { MAX_DETECTIONS_PER_IMAGE } from '../tasks/detection-task.js';

// A discriminated union needs its members by name; task-contract.test.ts checks that every task's is here.
export const predictionsSchema = z.discriminatedUnion('kind', [topkPredictionsSchema, detectionPredictionsSchema, labelMapPredictionsSchema]);

export type PredictionsJson = z.infer<typeof predictionsSchema>;

/** The agent's side: predictions as JSON. */
export function encodePredictions(p: Predictions): PredictionsJson {
  return taskOfPredictions(p.kind).wire.encode(p) as PredictionsJson;
}

/**
 * The server's side: predictions checked against their ids and decoded. `key` is where they sit in the body
 * (`measurement.predictions`), for the message; a mismatch is `code`.
 */
export function decodePredictions(p: PredictionsJson, key: string, code: ErrorCode): Predictions {
  return taskOfPredictions(p.kind).wire.decode(p, key, code);
}
