/**
 * How a model's output tensors become one image's predictions, as a pure function of the tensors (each task's
 * `decodeImage`, harness/tasks/): the desktop target's inference child hands onnxruntime's tensors over as
 * {dims, type, data} and keeps what this answers. The Postprocess a task derives from the track says what to
 * keep and what to refuse.
 */
import type { SsdSpec } from '../detection/ssd-spec.js';
import type { DetectionPrediction, LabelMapPrediction } from '../measurement.js';

export interface OutputTensor {
  readonly dims: readonly number[];
  readonly type: string;
  readonly data: ArrayLike<number | bigint>;
}

export type OutputTensors = Readonly<Record<string, OutputTensor | undefined>>;

export type Postprocess =
  /** Classification: the k best class indices per image, best first. */
  | { kind: 'topk'; k: number; classes: number }
  /** Segmentation: per-pixel argmax over the class axis of an [1, C, H, W] output. */
  | { kind: 'argmax-map'; classes: number; height: number; width: number }
  /**
   * Detection, post-processed by the model (docs/protocol.md, "Detection outputs"): outputs `boxes` [N, 4] (x1,
   * y1, x2, y2 in input pixels), `scores` [N] and `classes` [N], each optionally with a leading batch axis of 1.
   */
  | {
      kind: 'detections';
      classes: number;
      height: number;
      width: number;
      maxDetections: number;
      /** Raw SSD heads (outputs SSD_OUTPUTS) decoded with these priors ([cx, cy, w, h] in pixels) and this spec. */
      ssd?: { spec: SsdSpec; priors: Float64Array };
    };

/** The outputs of a model with raw SSD heads. */
export const SSD_OUTPUTS = ['locations', 'confidences'] as const;

/** The outputs a post-processed detection model has, in the order they are fetched. */
export const DETECTION_OUTPUTS = ['boxes', 'scores', 'classes'] as const;

/** One image's predictions as each task keeps them: top-k classes, a label map, boxes. */
export type PredictionRow = number[] | LabelMapPrediction | DetectionPrediction[];

/**
 * One image's outputs read: its row, or why not: an output of the wrong shape or type (LPCV_E_MODEL_OUTPUT_SHAPE),
 * NaN or an infinity (LPCV_E_MODEL_OUTPUT_NAN), detections against the track's rules (LPCV_E_MODEL_DETECTIONS).
 */
export type ImageRead<Row = PredictionRow> =
  | { kind: 'ok'; row: Row; shape: number[] }
  | { kind: 'bad-output'; message: string; shape: number[] }
  | { kind: 'non-finite' }
  | { kind: 'bad-detections'; message: string };

/**
 * The model's one float32 output `name`, all finite: its data and shape, or the read that refuses it (another
 * type is bad-output, NaN or an infinity non-finite). Classification and segmentation read their output so.
 */
export function finiteFloat32Output(outputs: OutputTensors, name: string): { data: Float32Array; shape: number[] } | Exclude<ImageRead<never>, { kind: 'ok' }> {
  const tensor = outputs[name];
  if (tensor === undefined) return { kind: 'bad-output', message: `the model has no output ${name}`, shape: [] };
  const shape = [...tensor.dims];
  if (tensor.type !== 'float32' || !(tensor.data instanceof Float32Array))
    return { kind: 'bad-output', message: `output ${name} is ${tensor.type}, expected float32`, shape };
  const data = tensor.data;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return { kind: 'non-finite' };
  return { data, shape };
}
