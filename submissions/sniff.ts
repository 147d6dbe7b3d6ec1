/**
 * What kind of file a submission is, from its bytes alone (the name's extension is not trusted):
 *
 * - 'aihub-job': exactly the bytes of an AI Hub compile job reference (submissions/aihub/aihub-job-artifact.ts),
 *   compared byte for byte, so no model and no other JSON is taken for one; checked first, as it is cheapest.
 * - 'tflite': a FlatBuffer with file identifier "TFL3" at bytes 4..8.
 * - 'zip': a zip archive, including a Python zipapp (.pyz), which may start with a "#!" line before the zip
 *   data: "PK\x03\x04" at the start or right after a shebang line, or an end-of-central-directory record
 *   ("PK\x05\x06") whose comment length ends exactly at the end of the file.
 * - 'onnx': a protobuf the ONNX reader accepts, or one it recognises as an ONNX model that is truncated or
 *   keeps its weights in external files (so that reading it then reports that precisely).
 * - 'unknown': anything else, empty files included.
 */
import { readFile } from 'node:fs/promises';
import { LpcvError } from '../errors/lpcv-error.js';
import { aihubJobIdOf } from './aihub/aihub-job-artifact.js';
import type { ModelFormat } from './model-format.js';
import { readOnnxModel } from './onnx/read-onnx-model.js';

export type SubmissionFormat = ModelFormat | 'unknown';

const LOCAL_FILE_HEADER = [0x50, 0x4b, 0x03, 0x04];
const END_OF_CENTRAL_DIRECTORY = [0x50, 0x4b, 0x05, 0x06];
const EOCD_SIZE = 22;
const MAX_ZIP_COMMENT = 0xffff;
const MAX_SHEBANG_LINE = 4096;

function matchesAt(bytes: Uint8Array, offset: number, signature: readonly number[]): boolean {
  if (offset < 0 || offset + signature.length > bytes.length) return false;
  return signature.every((b, i) => bytes[offset + i] === b);
}

function isTflite(bytes: Uint8Array): boolean {
  if (bytes.length < 8 || !matchesAt(bytes, 4, [0x54, 0x46, 0x4c, 0x33])) return false;
  // Bytes 0..4 are the root table's offset, which must point inside the file.
  const root = bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24);
  return root >= 8 && root < bytes.length;
}

function isZip(bytes: Uint8Array): boolean {
  if (matchesAt(bytes, 0, LOCAL_FILE_HEADER)) return true;
  if (bytes[0] === 0x23 && bytes[1] === 0x21) {
    const newline = bytes.subarray(0, MAX_SHEBANG_LINE).indexOf(0x0a);
    if (newline > 0 && matchesAt(bytes, newline + 1, LOCAL_FILE_HEADER)) return true;
  }
  // The end-of-central-directory record sits 22 bytes + its comment before the end.
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - MAX_ZIP_COMMENT);
  for (let at = bytes.length - EOCD_SIZE; at >= lowest; at--) {
    if (!matchesAt(bytes, at, END_OF_CENTRAL_DIRECTORY)) continue;
    const commentLength = bytes[at + 20] | (bytes[at + 21] << 8);
    if (at + EOCD_SIZE + commentLength === bytes.length) return true;
  }
  return false;
}

function isOnnx(bytes: Uint8Array): boolean {
  try {
    readOnnxModel(bytes);
    return true;
  } catch (e) {
    if (e instanceof LpcvError) return e.code === 'LPCV_E_MODEL_TRUNCATED' || e.code === 'LPCV_E_MODEL_FORMAT';
    throw e;
  }
}

export function sniffFormat(bytes: Uint8Array): SubmissionFormat {
  if (bytes.length === 0) return 'unknown';
  if (aihubJobIdOf(bytes) !== undefined) return 'aihub-job';
  if (isTflite(bytes)) return 'tflite';
  if (isZip(bytes)) return 'zip';
  if (isOnnx(bytes)) return 'onnx';
  return 'unknown';
}

/** Reads the file and sniffs it; a missing file is LPCV_E_FILE_NOT_FOUND. */
export async function sniffFile(path: string): Promise<SubmissionFormat> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
      throw new LpcvError('LPCV_E_FILE_NOT_FOUND', `model file not found: ${path}`);
    }
    throw e;
  }
  return sniffFormat(bytes);
}
