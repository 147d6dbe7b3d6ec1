/**
 * The body of a model-check worker thread (started through check-worker.mjs): validates one stored file
 * against a track's requirements per message and answers with the report, or with the coded error.
 */
import { parentPort } from 'node:worker_threads';
import { LpcvError } from '../../errors/lpcv-error.js';
import { modelProtoType } from '../onnx/onnx-schema.js';
import type { ModelRequirements } from './model-requirements.js';
import { validateModel, type ValidationReport } from './validate-model.js';

export interface CheckRequest {
  readonly file: string;
  readonly track: ModelRequirements;
}

export type CheckAnswer =
  | { readonly ready: true }
  | { readonly ok: true; readonly report: ValidationReport }
  | { readonly ok: false; readonly code?: string; readonly message: string; readonly detail?: Record<string, unknown> };

const port = parentPort;
if (port === null) throw new Error('check-worker.ts runs as a worker thread');
port.on('message', (req: CheckRequest) => {
  let answer: CheckAnswer;
  try {
    answer = { ok: true, report: validateModel(req.file, req.track) };
  } catch (e) {
    answer =
      e instanceof LpcvError
        ? { ok: false, code: e.code, message: e.message, ...(e.detail ? { detail: e.detail } : {}) }
        : { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(answer);
});
// Loaded (tsx, protobufjs, the ONNX schema parsed now rather than in the first check): the pool starts a
// check's clock from here.
modelProtoType();
port.postMessage({ ready: true } satisfies CheckAnswer);
