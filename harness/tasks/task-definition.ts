/**
 * One task's pure parts (docs/tasks.md): everything the harness, the server and the local CLI do differently for
 * classification, detection and segmentation, in one object per task (harness/tasks/*-task.ts), listed once in
 * task-registry.ts. The device parts (a solution package's output files, phones' runner files) are registered
 * by task in devices/tasks/. The contract suite (task-contract.test.ts) runs every definition through the same
 * checks.
 */
import type { z } from 'zod';
import type { ErrorCode } from '../../errors/codes.js';
import type { LabelSet } from '../datasets/types.js';
import type { EvaluateFilesOptions, EvaluationReport } from '../evaluate/evaluation-report.js';
import type { Predictions } from '../measurement.js';
import type { Track } from '../tracks/track.js';
import type { AgentTrack } from '../wire/agent-track.js';
import type { ImageRead, OutputTensors, Postprocess } from './output-decoding.js';
import type { PredictionKindOf, TaskFacts, TaskName } from './task-catalog.js';

export interface AccuracyResult {
  /** Metric name -> value in [0, 1], the keys of the result record's `accuracy`. */
  accuracy: Record<string, number>;
  perClass: ({ classIndex: number; name: string | undefined } & Record<string, unknown>)[];
}

export type PredictionsOf<T extends TaskName> = Extract<Predictions, { kind: PredictionKindOf<T> }>;
export type LabelsOf<T extends TaskName> = Extract<LabelSet, { task: T }>;
/** One image's entry of a task's predictions (its top-k list, label map, or boxes). */
export type RowOf<T extends TaskName> = {
  classification: number[];
  detection: PredictionsOf<'detection'>['detections'][number];
  segmentation: PredictionsOf<'segmentation'>['maps'][number];
}[T];

export interface TaskDefinition<T extends TaskName> {
  readonly name: T;
  readonly predictionKind: PredictionKindOf<T>;
  readonly facts: TaskFacts;

  /** What the desktop target's inference keeps of each output, derived from the track. */
  postprocess(track: AgentTrack): Postprocess;
  /** The outputs a run with this post-process fetches when the task names them (detection's); undefined: the one output validation chose. */
  fetch(pp: Postprocess): readonly string[] | undefined;
  /** One image's output tensors into its row (pure); `pp` is what postprocess answered for the track. */
  decodeImage(outputs: OutputTensors, pp: Postprocess, outputName: string): ImageRead<RowOf<T>>;
  /** The rows of a split, in the ids' order, as Predictions. */
  assemble(ids: readonly string[], rows: RowOf<T>[]): PredictionsOf<T>;

  /** The agent wire's codec (harness/wire/predictions.ts delegates to it): a zod schema and one function each way. */
  readonly wire: {
    readonly schema: z.ZodType;
    encode(p: PredictionsOf<T>): unknown;
    /** The schema's output checked against its ids and decoded; a mismatch is `code`, naming `key`. */
    decode(json: unknown, key: string, code: ErrorCode): PredictionsOf<T>;
  };

  /** The accuracy of the predictions against the labels (the same images in the same order, checked before). */
  score(track: Track, predictions: PredictionsOf<T>, labels: LabelsOf<T>): Promise<AccuracyResult>;
  /** `lpcv evaluate`: the files on both sides (checked to exist; `resolved` their absolute paths, for the report). */
  evaluate(opts: EvaluateFilesOptions & { task: T }, resolved: { gt: string; pred: string }): Promise<EvaluationReport>;
  /**
   * `lpcv evaluate --track T --split S`: the split's labels in the ground-truth format `evaluate` reads for the
   * task, written at `target` (a file or a folder, as facts.evaluateInput says).
   */
  writeGroundTruth(target: string, labels: LabelsOf<T>): Promise<void>;
  /** `lpcv score --predictions`: the predictions in the format `evaluate` reads for the task, at `target`. */
  writePredictions(target: string, predictions: PredictionsOf<T>, labels: LabelsOf<T>, track: Track): Promise<void>;
}
