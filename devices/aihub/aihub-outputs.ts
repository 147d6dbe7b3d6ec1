/**
 * The inference job's outputs (the helper wrote each output's per-sample arrays into one raw little-endian
 * file, with their shapes) decoded into predictions by the track's task, with the same pure `decodeImage` the
 * desktop's inference child uses: a model scores the same whichever device produced its tensors.
 */
import { readFile } from 'node:fs/promises';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { InputSet } from '../../harness/datasets/types.js';
import type { Predictions } from '../../harness/measurement.js';
import type { OutputTensors, Postprocess, PredictionRow } from '../../harness/tasks/output-decoding.js';
import { taskOfPostprocess } from '../../harness/tasks/task-registry.js';
import { AIHUB_CODES } from './aihub-faults.js';

export interface HelperOutput {
  readonly file: string;
  readonly dtype: 'float32' | 'int64' | 'int32' | 'uint8';
  readonly shapes: readonly (readonly number[])[];
}

const ARRAYS = { float32: Float32Array, int64: BigInt64Array, int32: Int32Array, uint8: Uint8Array } as const;

/** Each sample's tensors, in input order. */
export async function readOutputs(outputs: Readonly<Record<string, HelperOutput>>, count: number): Promise<OutputTensors[]> {
  const samples: Record<string, OutputTensors[string]>[] = Array.from({ length: count }, () => ({}));
  for (const [name, o] of Object.entries(outputs)) {
    if (o.shapes.length !== count)
      throw new LpcvError(AIHUB_CODES.infrastructure, `AI Hub returned ${o.shapes.length} samples of output ${name} for ${count} inputs`);
    const Typed = ARRAYS[o.dtype];
    const bytes = await readFile(o.file);
    let at = 0;
    o.shapes.forEach((dims, i) => {
      const n = dims.reduce((a, b) => a * b, 1);
      const length = n * Typed.BYTES_PER_ELEMENT;
      if (at + length > bytes.length) throw new LpcvError(AIHUB_CODES.infrastructure, `AI Hub output ${name} ends early at sample ${i}`);
      // A copy, aligned for the typed array (a Buffer's offset into its pool need not be).
      const data = new Typed(bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + length));
      samples[i]![name] = { dims: [...dims], type: o.dtype, data };
      at += length;
    });
  }
  return samples;
}

/** The predictions of every input; an output the task refuses is the submission's fault, as on the desktop. */
export function decodeOutputs(samples: readonly OutputTensors[], inputs: InputSet, pp: Postprocess, outputName: string): Predictions {
  const task = taskOfPostprocess(pp);
  const rows: PredictionRow[] = [];
  samples.forEach((tensors, i) => {
    const read = task.decodeImage(tensors, pp, outputName);
    const id = inputs.ids[i];
    if (read.kind === 'non-finite')
      throw new LpcvError('LPCV_E_MODEL_OUTPUT_NAN', `the model produced NaN or infinite outputs on AI Hub (first on image ${id})`);
    if (read.kind === 'bad-output') throw new LpcvError('LPCV_E_MODEL_OUTPUT_SHAPE', `AI Hub's outputs: ${read.message}`);
    if (read.kind === 'bad-detections') throw new LpcvError('LPCV_E_MODEL_DETECTIONS', `image ${id}: ${read.message}`);
    rows.push(read.row);
  });
  return task.assemble(inputs.ids, rows as never[]);
}

/** The output a single-output task reads: the only one (AI Hub renames outputs of compiled models), else the track's. */
export function chooseOutput(names: readonly string[], trackOutput: string | undefined): string {
  if (names.length === 1) return names[0]!;
  return trackOutput !== undefined && names.includes(trackOutput) ? trackOutput : (names[0] ?? trackOutput ?? 'output_0');
}
