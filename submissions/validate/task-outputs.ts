import type { ErrorCode } from '../../errors/codes.js';
import type { ModelRequirements } from './model-requirements.js';

/**
 * What a model's outputs must be for the track's task, checked from the graph before anything runs
 * (submissions/validate/validate-model.ts): one check per task, registered by task name. Each answers the
 * output the report shows (or null) and reports problems with stable codes.
 */

export interface TensorInfo {
  name: string;
  dtype: string;
  shape: (number | string | null)[];
}

type ProblemSink = (c: ErrorCode, m: string) => void;
type OutputCheck = (outputs: readonly TensorInfo[], track: ModelRequirements, problem: ProblemSink, warnings: string[]) => TensorInfo | null;

export const TASK_OUTPUT_CHECKS: { readonly [T in ModelRequirements['task']]: OutputCheck } = {
  classification: (outputs, track, problem, warnings) => scoresOutput(outputs, track, problem, warnings, checkClassScores),
  detection: (outputs, track, problem) => (track.output.ssd !== undefined ? checkSsdOutputs(outputs, problem) : checkDetectionOutputs(outputs, problem)),
  segmentation: (outputs, track, problem, warnings) => scoresOutput(outputs, track, problem, warnings, checkScoreMaps),
};

export function fmtShape(shape: readonly (number | string | null)[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/**
 * The one float32 output of class scores (classification, segmentation): the one the track names, else the
 * model's first; the model's only output when the track names another (with a warning).
 */
function scoresOutput(
  outputs: readonly TensorInfo[],
  track: ModelRequirements,
  problem: ProblemSink,
  warnings: string[],
  checkShape: (output: TensorInfo, track: ModelRequirements, problem: ProblemSink) => void,
): TensorInfo | null {
  const wanted = track.output.name;
  let output = wanted !== undefined ? outputs.find((o) => o.name === wanted) : outputs[0];
  if (!output && outputs.length === 1) {
    output = outputs[0]!;
    warnings.push(`the track names output "${wanted}", the model's only output is "${output.name}": using it`);
  }
  if (!output) {
    problem('LPCV_E_MODEL_OUTPUT_SHAPE', `the model has no output named "${wanted}" (outputs: ${outputs.map((o) => o.name).join(', ') || 'none'})`);
    return null;
  }
  if (output.dtype !== 'float32') {
    problem('LPCV_E_MODEL_OUTPUT_DTYPE', `output "${output.name}" is ${output.dtype}; expected float32 scores`);
  }
  checkShape(output, track, problem);
  return output;
}

/** Classification: [batch, classes] (axes of 1 between allowed). */
function checkClassScores(output: TensorInfo, track: ModelRequirements, problem: ProblemSink): void {
  const shape = output.shape;
  const classes = track.output.numClasses ?? track.classes.length;
  const last = shape[shape.length - 1];
  const others = shape.slice(1, -1);
  const fits = shape.length >= 2 && (typeof last !== 'number' || last === classes) && others.every((d) => d === 1 || typeof d !== 'number');
  if (!fits) {
    const got = typeof last === 'number' ? `${last} class scores` : 'a shape';
    problem(
      'LPCV_E_MODEL_OUTPUT_SHAPE',
      `output "${output.name}" has shape ${fmtShape(shape)} (${got}); the track has ${classes} classes: expected [batch, ${classes}]`,
    );
  }
}

/** Segmentation: [batch, classes, height, width] at the input's size. */
function checkScoreMaps(output: TensorInfo, track: ModelRequirements, problem: ProblemSink): void {
  const shape = output.shape;
  const classes = track.classes.length;
  const [, c, h, w] = shape;
  const [, , H, W] = track.input.layout === 'NCHW' ? track.input.shape : [0, 0, track.input.shape[1], track.input.shape[2]];
  if (shape.length !== 4 || (typeof c === 'number' && c !== classes)) {
    problem('LPCV_E_MODEL_OUTPUT_SHAPE', `output "${output.name}" has shape ${fmtShape(shape)}; expected [batch, ${classes}, height, width]`);
  } else if ((typeof h === 'number' && h !== H) || (typeof w === 'number' && w !== W)) {
    problem('LPCV_E_MODEL_OUTPUT_SHAPE', `output "${output.name}" has shape ${fmtShape(shape)}; the label map must be ${H}x${W}`);
  }
}

/**
 * A post-processed detection model (docs/protocol.md, "Detection outputs"): outputs named boxes [N, 4] and
 * scores [N] as float32, classes [N] as float32 or an integer type, each optionally behind a batch axis of 1
 * (N may be symbolic). Answers the boxes output (the report's `output`), or null.
 */
function checkDetectionOutputs(outputs: readonly TensorInfo[], problem: ProblemSink): TensorInfo | null {
  const byName = new Map(outputs.map((o) => [o.name, o]));
  const missing = ['boxes', 'scores', 'classes'].filter((n) => !byName.has(n));
  if (missing.length > 0) {
    problem(
      'LPCV_E_MODEL_OUTPUT_SHAPE',
      `a detection model outputs boxes [N, 4], scores [N] and classes [N]; this one has no ${missing.join(', ')} (outputs: ${outputs.map((o) => o.name).join(', ') || 'none'})`,
    );
    return null;
  }
  const rankOk = (shape: readonly (number | string | null)[], rank: number): boolean =>
    shape.length === rank || (shape.length === rank + 1 && (shape[0] === 1 || typeof shape[0] !== 'number'));
  const boxes = byName.get('boxes')!;
  const last = boxes.shape[boxes.shape.length - 1];
  if (!rankOk(boxes.shape, 2) || (typeof last === 'number' && last !== 4)) {
    problem('LPCV_E_MODEL_OUTPUT_SHAPE', `output "boxes" has shape ${fmtShape(boxes.shape)}; expected [N, 4] or [1, N, 4]`);
  }
  for (const name of ['scores', 'classes']) {
    const t = byName.get(name)!;
    if (!rankOk(t.shape, 1)) problem('LPCV_E_MODEL_OUTPUT_SHAPE', `output "${name}" has shape ${fmtShape(t.shape)}; expected [N] or [1, N]`);
  }
  for (const name of ['boxes', 'scores']) {
    const t = byName.get(name)!;
    if (t.dtype !== 'float32') problem('LPCV_E_MODEL_OUTPUT_DTYPE', `output "${name}" is ${t.dtype}; expected float32`);
  }
  const classes = byName.get('classes')!;
  if (!['float32', 'int64', 'int32'].includes(classes.dtype)) {
    problem('LPCV_E_MODEL_OUTPUT_DTYPE', `output "classes" is ${classes.dtype}; expected float32, int64 or int32 class indices`);
  }
  return boxes;
}

/**
 * Raw SSD heads: outputs named locations [P, 4] and confidences [P, C + 1], float32, a batch axis of 1
 * optional; P and C are checked against the track's priors and classes when the model runs.
 */
function checkSsdOutputs(outputs: readonly TensorInfo[], problem: ProblemSink): TensorInfo | null {
  const byName = new Map(outputs.map((o) => [o.name, o]));
  const missing = ['locations', 'confidences'].filter((n) => !byName.has(n));
  if (missing.length > 0) {
    problem(
      'LPCV_E_MODEL_OUTPUT_SHAPE',
      `the track decodes SSD heads: the model outputs locations [P, 4] and confidences [P, classes + 1]; this one has no ${missing.join(', ')} (outputs: ${outputs.map((o) => o.name).join(', ') || 'none'})`,
    );
    return null;
  }
  for (const name of ['locations', 'confidences']) {
    const t = byName.get(name)!;
    if (t.dtype !== 'float32') problem('LPCV_E_MODEL_OUTPUT_DTYPE', `output "${name}" is ${t.dtype}; expected float32`);
    if (t.shape.length !== 2 && !(t.shape.length === 3 && (t.shape[0] === 1 || typeof t.shape[0] !== 'number'))) {
      problem('LPCV_E_MODEL_OUTPUT_SHAPE', `output "${name}" has shape ${fmtShape(t.shape)}; expected [P, n] or [1, P, n]`);
    }
  }
  return byName.get('locations')!;
}
