import { LpcvError } from '../../errors/lpcv-error.js';
import type { OnnxProcess } from './onnx-process.js';
import type { Postprocess, PredictionRow } from '../../harness/tasks/output-decoding.js';
import { taskOfPostprocess } from '../../harness/tasks/task-registry.js';
import type { InputSet } from '../../harness/datasets/types.js';
import { toInputTensor } from '../../harness/preprocess/to-tensor.js';
import type { InputSpec } from '../../harness/tracks/track-schema.js';
import type { Predictions } from '../../harness/measurement.js';

/** Input tensors sent to the inference process in one message: at most this many bytes or images. */
export const CHUNK_BYTES = 8 * 1024 * 1024;
export const CHUNK_IMAGES = 250;

export interface AccuracyPassOptions {
  readonly spec: InputSpec;
  readonly postprocess: Postprocess;
  /** Named in error messages (a robustness split); omitted for the clean split. */
  readonly where?: string;
  /** Each image's tensor once made, with its decode and pre-processing time in ms. */
  readonly onTensor?: (tensor: Float32Array | Uint8Array, preprocessMs: number) => void;
  /** After each chunk: images done so far. */
  readonly onChunk?: (done: number, total: number) => void;
}

/**
 * The accuracy pass (docs/protocol.md, section 4): every input once, batch 1, in order, sent to the loaded
 * inference process in chunks. An output holding NaN or an infinity stops it (LPCV_E_MODEL_OUTPUT_NAN,
 * naming the image); an output of the wrong shape is LPCV_E_MODEL_OUTPUT_SHAPE; detections that break the track's
 * rules (a box outside the image, too many, a class the track does not have) are LPCV_E_MODEL_DETECTIONS. The clean split's pass and
 * each robustness split's pass are this one function.
 */
export async function accuracyPass(proc: OnnxProcess, inputs: InputSet, o: AccuracyPassOptions): Promise<Predictions> {
  const shape = [...o.spec.shape];
  const total = inputs.ids.length;
  const rows: PredictionRow[] = [];
  let chunk: (Float32Array | Uint8Array)[] = [];
  let chunkBytes = 0;
  let chunkStart = 0;
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const res = await proc.infer(chunk, shape, o.spec.dtype, o.postprocess);
    if ('nonFinite' in res) {
      const id = inputs.ids[chunkStart + res.nonFinite];
      throw new LpcvError('LPCV_E_MODEL_OUTPUT_NAN', `the model produced NaN or infinite outputs (first on image ${id}${o.where ? ` of ${o.where}` : ''})`);
    }
    if ('badOutput' in res) throw new LpcvError('LPCV_E_MODEL_OUTPUT_SHAPE', `at run time${o.where ? ` (${o.where})` : ''}: ${res.badOutput}`);
    if ('badDetections' in res) {
      const id = inputs.ids[chunkStart + res.index];
      throw new LpcvError('LPCV_E_MODEL_DETECTIONS', `image ${id}${o.where ? ` of ${o.where}` : ''}: ${res.badDetections}`);
    }
    rows.push(...res.output.rows);
    chunkStart += chunk.length;
    chunk = [];
    chunkBytes = 0;
    o.onChunk?.(chunkStart, total);
  };
  for (let i = 0; i < total; i++) {
    const t0 = process.hrtime.bigint();
    const tensor = await toInputTensor(await inputs.read(i), o.spec);
    o.onTensor?.(tensor, Number(process.hrtime.bigint() - t0) / 1e6);
    chunk.push(tensor);
    chunkBytes += tensor.byteLength;
    if (chunkBytes >= CHUNK_BYTES || chunk.length >= CHUNK_IMAGES) await flush();
  }
  await flush();
  // The rows are the post-process's task's (one per image, in order): it assembles them (harness/tasks/).
  return taskOfPostprocess(o.postprocess).assemble(inputs.ids, rows);
}
