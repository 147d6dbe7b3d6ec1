import { createHash } from 'node:crypto';
import { readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ErrorCode } from '../../errors/codes.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import { checkPackage } from '../package/check-package.js';
import { sniffFormat } from '../sniff.js';
import { tfliteProblem } from '../tflite/check-tflite.js';
import { graphInputs, graphOutputs, readOnnxModel } from '../onnx/index.js';
import type { ModelFormat } from '../model-format.js';
import type { ModelRequirements } from './model-requirements.js';

export interface Problem {
  code: ErrorCode;
  message: string;
}

export interface TensorInfo {
  name: string;
  dtype: string;
  shape: (number | string | null)[];
}

export interface ValidationReport {
  ok: boolean;
  model: { path: string; sha256: string; bytes: number; format: ModelFormat | 'unknown' };
  input: TensorInfo | null;
  output: TensorInfo | null;
  problems: Problem[];
  warnings: string[];
}

/** Read a model file: missing -> LPCV_E_FILE_NOT_FOUND, empty -> LPCV_E_MODEL_EMPTY. */
export function readModelFile(file: string): Uint8Array {
  if (!existsSync(file) || !statSync(file).isFile()) throw new LpcvError('LPCV_E_FILE_NOT_FOUND', `model file not found: ${file}`);
  const bytes = readFileSync(file);
  if (bytes.length === 0) throw new LpcvError('LPCV_E_MODEL_EMPTY', `${file}: the model file is empty`);
  return bytes;
}

function fmtShape(shape: readonly (number | string | null)[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/**
 * Check a model against a track before anything runs: format, size, one input of the track's shape and
 * type, an output that fits the task (e.g. the right number of classes). Collects every problem it can
 * find; the CLI prints them all, `assertValid` throws the first.
 */
export function validateModel(file: string, track: ModelRequirements): ValidationReport {
  const bytes = readModelFile(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const sniffed = sniffFormat(bytes);
  const report: ValidationReport = {
    ok: false,
    model: { path: path.resolve(file), sha256, bytes: bytes.length, format: sniffed },
    input: null,
    output: null,
    problems: [],
    warnings: [],
  };
  const problem = (code: ErrorCode, message: string): void => {
    report.problems.push({ code, message });
  };

  if (bytes.length > track.limits.maxArtifactBytes) {
    problem('LPCV_E_MODEL_TOO_LARGE', `${bytes.length} bytes is over the track's limit of ${track.limits.maxArtifactBytes} bytes`);
  }
  if (sniffed === 'unknown') {
    // Not recognisably anything: let the ONNX reader say precisely why (truncated vs not ONNX).
    try {
      readOnnxModel(bytes, file);
      problem('LPCV_E_MODEL_NOT_ONNX', `${file} is not an ONNX model`);
    } catch (e) {
      if (e instanceof LpcvError) problem(e.code, e.message);
      else throw e;
    }
    return report;
  }
  const accepted = track.formats as readonly string[];
  const formatName = sniffed === 'zip' ? 'solution' : sniffed;
  if (!accepted.includes(formatName)) {
    problem('LPCV_E_MODEL_FORMAT', `${file} is a ${sniffed} file; track ${track.name} accepts ${track.formats.join(', ')}`);
    return report;
  }
  if (sniffed === 'zip') {
    // A solution package: its own program reads the inputs and writes predictions, so there is no graph to
    // check against the track's input and output; what can be checked is the archive itself.
    for (const why of checkPackage(bytes).problems) problem('LPCV_E_PACKAGE_INVALID', `${file}: ${why}`);
    report.ok = report.problems.length === 0;
    return report;
  }
  if (sniffed === 'tflite') {
    // No TFLite runtime here: the structure is checked, the graph by the phone that runs it.
    const why = tfliteProblem(bytes);
    if (why !== undefined) problem('LPCV_E_MODEL_FORMAT', `${file} is not a readable TFLite model: ${why}`);
    else report.warnings.push("a TFLite model's input and output are checked on the device that runs it, not here");
    report.ok = report.problems.length === 0;
    return report;
  }

  let model;
  try {
    model = readOnnxModel(bytes, file);
  } catch (e) {
    if (e instanceof LpcvError) {
      problem(e.code, e.message);
      return report;
    }
    throw e;
  }

  const inputs = graphInputs(model);
  if (inputs.length !== 1) {
    problem(
      'LPCV_E_MODEL_INPUT_COUNT',
      `the model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ') || 'none'}); the track feeds exactly one`,
    );
  } else {
    const input = inputs[0]!;
    report.input = input;
    checkInput(input, track, problem, report.warnings);
  }

  const outputs = graphOutputs(model);
  if (track.task === 'detection') {
    report.output = track.output.ssd !== undefined ? checkSsdOutputs(outputs, problem) : checkDetectionOutputs(outputs, problem);
    report.ok = report.problems.length === 0;
    return report;
  }
  const wanted = track.output.name;
  let output = wanted !== undefined ? outputs.find((o) => o.name === wanted) : outputs[0];
  if (!output && outputs.length === 1) {
    output = outputs[0]!;
    report.warnings.push(`the track names output "${wanted}", the model's only output is "${output.name}": using it`);
  }
  if (!output) {
    problem('LPCV_E_MODEL_OUTPUT_SHAPE', `the model has no output named "${wanted}" (outputs: ${outputs.map((o) => o.name).join(', ') || 'none'})`);
  } else {
    report.output = output;
    checkOutput(output, track, problem);
  }
  report.ok = report.problems.length === 0;
  return report;
}

function checkInput(input: TensorInfo, track: ModelRequirements, problem: (c: ErrorCode, m: string) => void, warnings: string[]): void {
  const spec = track.input;
  if (input.name !== spec.name) {
    warnings.push(`the model's input is named "${input.name}", the track calls it "${spec.name}": fed by position`);
  }
  if (input.dtype !== spec.dtype) {
    problem('LPCV_E_MODEL_INPUT_DTYPE', `input "${input.name}" is ${input.dtype}; the track feeds ${spec.dtype}`);
  }
  const expected = fmtShape(spec.shape);
  if (input.shape.length !== spec.shape.length) {
    problem('LPCV_E_MODEL_INPUT_SHAPE', `input "${input.name}" has shape ${fmtShape(input.shape)}; the track feeds ${expected} (${spec.layout})`);
    return;
  }
  input.shape.forEach((d, i) => {
    if (typeof d === 'number' && d !== spec.shape[i]) {
      problem(
        'LPCV_E_MODEL_INPUT_SHAPE',
        `input "${input.name}" has shape ${fmtShape(input.shape)}; the track feeds ${expected} (${spec.layout}): dimension ${i} is ${d}, expected ${spec.shape[i]}`,
      );
    } else if (typeof d !== 'number' && i > 0) {
      warnings.push(`input dimension ${i} is symbolic (${d ?? '?'}); the track feeds ${spec.shape[i]}`);
    }
  });
}

function checkOutput(output: TensorInfo, track: ModelRequirements, problem: (c: ErrorCode, m: string) => void): void {
  if (output.dtype !== 'float32') {
    problem('LPCV_E_MODEL_OUTPUT_DTYPE', `output "${output.name}" is ${output.dtype}; expected float32 scores`);
  }
  const shape = output.shape;
  if (track.task === 'classification') {
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
  } else if (track.task === 'segmentation') {
    const classes = track.classes.length;
    const [, c, h, w] = shape;
    const [, , H, W] = track.input.layout === 'NCHW' ? track.input.shape : [0, 0, track.input.shape[1], track.input.shape[2]];
    if (shape.length !== 4 || (typeof c === 'number' && c !== classes)) {
      problem('LPCV_E_MODEL_OUTPUT_SHAPE', `output "${output.name}" has shape ${fmtShape(shape)}; expected [batch, ${classes}, height, width]`);
    } else if ((typeof h === 'number' && h !== H) || (typeof w === 'number' && w !== W)) {
      problem('LPCV_E_MODEL_OUTPUT_SHAPE', `output "${output.name}" has shape ${fmtShape(shape)}; the label map must be ${H}x${W}`);
    }
  }
}

/**
 * A post-processed detection model (docs/protocol.md, "Detection outputs"): outputs named boxes [N, 4] and
 * scores [N] as float32, classes [N] as float32 or an integer type, each optionally behind a batch axis of 1
 * (N may be symbolic). Answers the boxes output (the report's `output`), or null.
 */
function checkDetectionOutputs(outputs: readonly TensorInfo[], problem: (c: ErrorCode, m: string) => void): TensorInfo | null {
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
function checkSsdOutputs(outputs: readonly TensorInfo[], problem: (c: ErrorCode, m: string) => void): TensorInfo | null {
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

/** Throw the first problem of a report as an LpcvError. */
export function assertValid(report: ValidationReport): void {
  const first = report.problems[0];
  if (first) throw new LpcvError(first.code, first.message, { problems: report.problems });
}
