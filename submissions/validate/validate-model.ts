import { createHash } from 'node:crypto';
import { readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ErrorCode } from '../../errors/codes.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import { aihubJobArtifactProblem } from '../aihub/aihub-job-artifact.js';
import { checkPackage } from '../package/check-package.js';
import { sniffFormat } from '../sniff.js';
import { tfliteProblem } from '../tflite/check-tflite.js';
import { graphInputs, graphOutputs, readOnnxModel } from '../onnx/index.js';
import type { ModelFormat } from '../model-format.js';
import type { ModelRequirements } from './model-requirements.js';
import { fmtShape, TASK_OUTPUT_CHECKS } from './task-outputs.js';

export interface Problem {
  code: ErrorCode;
  message: string;
}

import type { TensorInfo } from './task-outputs.js';

export interface ValidationReport {
  ok: boolean;
  model: { path: string; sha256: string; bytes: number; format: ModelFormat | 'unknown' };
  input: TensorInfo | null;
  output: TensorInfo | null;
  problems: Problem[];
  warnings: string[];
}

/** Read a model file: missing -> LPCV_E_FILE_NOT_FOUND, a directory -> LPCV_E_USAGE, empty -> LPCV_E_MODEL_EMPTY. */
export function readModelFile(file: string): Uint8Array {
  if (existsSync(file) && statSync(file).isDirectory()) throw new LpcvError('LPCV_E_USAGE', `${file} is a directory, not a model file`);
  if (!existsSync(file) || !statSync(file).isFile()) throw new LpcvError('LPCV_E_FILE_NOT_FOUND', `model file not found: ${file}`);
  const bytes = readFileSync(file);
  if (bytes.length === 0) throw new LpcvError('LPCV_E_MODEL_EMPTY', `${file}: the model file is empty`);
  return bytes;
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
    const nearMiss = aihubJobArtifactProblem(bytes);
    if (nearMiss !== undefined) {
      problem('LPCV_E_AIHUB_JOB_ID', `${file}: ${nearMiss}`);
      return report;
    }
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
    problem(
      'LPCV_E_MODEL_FORMAT',
      `${file} is ${sniffed === 'aihub-job' ? 'an AI Hub compile job reference' : `a ${sniffed} file`}; track ${track.name} accepts ${track.formats.join(', ')}`,
    );
    return report;
  }
  if (sniffed === 'zip') {
    // A solution package: its own program reads the inputs and writes predictions, so there is no graph to
    // check against the track's input and output; what can be checked is the archive itself.
    for (const why of checkPackage(bytes).problems) problem('LPCV_E_PACKAGE_INVALID', `${file}: ${why}`);
    report.ok = report.problems.length === 0;
    return report;
  }
  if (sniffed === 'aihub-job') {
    // Only the id's shape can be checked here (sniffing did); the AI Hub driver checks the job itself.
    report.warnings.push('an AI Hub compile job is checked by the device agent (shared, succeeded, device, runtime, input spec), not here');
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

  // The outputs the track's task expects (task-outputs.ts).
  report.output = TASK_OUTPUT_CHECKS[track.task](graphOutputs(model), track, problem, report.warnings);
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

/** Throw the first problem of a report as an LpcvError. */
export function assertValid(report: ValidationReport): void {
  const first = report.problems[0];
  if (first) throw new LpcvError(first.code, first.message, { problems: report.problems });
}
