/**
 * Reads an ONNX file's bytes into the typed OnnxModel view, or says in one coded line why it cannot:
 *
 * - LPCV_E_MODEL_EMPTY: zero bytes.
 * - LPCV_E_MODEL_TRUNCATED: the file starts like an ONNX model (its first field is ir_version, as every
 *   protobuf writer puts it) but a field runs past the end of the file, or the file stops at a field boundary
 *   before the graph or right after it (writers emit fields in number order: ir_version, producer..., graph,
 *   opset_import).
 * - LPCV_E_MODEL_NOT_ONNX: anything else that does not decode to a ModelProto with an ir_version and a graph
 *   (random bytes, images, text, other model formats).
 * - LPCV_E_MODEL_TOO_COMPLEX: more nodes or deeper-nested subgraphs than model-complexity.ts allows, or nested
 *   too deep for the decoder.
 * - LPCV_E_MODEL_FORMAT: a valid ONNX model with a tensor whose data lives in an external file, wherever
 *   the tensor sits (external-tensors.ts), which a single-file submission cannot carry.
 *
 * Why the ir_version test: protobuf has no magic number, and random bytes often decode a few fields before
 * running off the end, so "index out of range" alone would call a JPEG truncated. Only a file whose first
 * field is a plausible ir_version (bytes 0x08 then 1..100: one random file in about 650) can be truncated.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { OnnxModel } from './onnx-model.js';
import { modelProtoType, TO_OBJECT_OPTIONS, type RawModel } from './onnx-schema.js';
import { scanTopLevelFields, type TopLevelScan } from './protobuf-scan.js';
import { findExternalTensor } from './external-tensors.js';
import { MAX_MODEL_NODES, MAX_SUBGRAPH_DEPTH, modelComplexity } from './model-complexity.js';
import { toOnnxModel } from './raw-to-model.js';

/** ir_version 1 (2017) to 10 (ONNX 1.16) exist today; leave room for the future. */
const MAX_PLAUSIBLE_IR_VERSION = 100;

function startsLikeOnnx(scan: TopLevelScan): boolean {
  const first = scan.fields[0];
  return (
    first !== undefined &&
    first.fieldNumber === 1 &&
    first.wireType === 0 &&
    first.varint !== undefined &&
    first.varint >= 1 &&
    first.varint <= MAX_PLAUSIBLE_IR_VERSION
  );
}

function isOutOfRange(e: unknown): boolean {
  return e instanceof RangeError || (e instanceof Error && /index out of range|premature end/i.test(e.message));
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

export function readOnnxModel(bytes: Uint8Array, fileLabel = 'the model file'): OnnxModel {
  if (bytes.byteLength === 0) throw new LpcvError('LPCV_E_MODEL_EMPTY', `${fileLabel} is empty (0 bytes)`);

  const scan = scanTopLevelFields(bytes);
  const onnxStart = startsLikeOnnx(scan);
  if (scan.overrun && onnxStart) {
    throw new LpcvError(
      'LPCV_E_MODEL_TRUNCATED',
      `${fileLabel} ends early at byte ${scan.overrun.fileEnd} of ${scan.overrun.declaredEnd > scan.overrun.fileEnd + 1 ? '' : 'at least '}${scan.overrun.declaredEnd}: truncated?`,
      { fileBytes: scan.overrun.fileEnd, declaredBytes: scan.overrun.declaredEnd },
    );
  }
  if (scan.overrun || scan.invalid) {
    const why = scan.invalid ?? `a field runs past the end of the file at byte ${scan.overrun?.fileEnd}`;
    throw new LpcvError('LPCV_E_MODEL_NOT_ONNX', `${fileLabel} is not an ONNX model (not a protobuf message: ${why})`);
  }

  const type = modelProtoType();
  let raw: RawModel;
  try {
    raw = type.toObject(type.decode(bytes), TO_OBJECT_OPTIONS) as RawModel;
  } catch (e) {
    // protobufjs stops at 100 nested messages (as protoc does); a recursion past the stack would be a RangeError.
    if (e instanceof Error && /maximum nesting depth|max depth exceeded|call stack/i.test(e.message)) {
      throw new LpcvError('LPCV_E_MODEL_TOO_COMPLEX', `${fileLabel} nests messages too deep to decode (subgraphs within subgraphs?)`);
    }
    if (onnxStart && isOutOfRange(e)) {
      throw new LpcvError(
        'LPCV_E_MODEL_TRUNCATED',
        `${fileLabel} ends early: a structure inside it runs past the end of its ${bytes.byteLength} bytes (${oneLine(e)}): truncated?`,
      );
    }
    throw new LpcvError('LPCV_E_MODEL_NOT_ONNX', `${fileLabel} is not an ONNX model (protobuf decoding failed: ${oneLine(e)})`);
  }

  const { graph } = raw;
  const lastField = scan.fields[scan.fields.length - 1]?.fieldNumber ?? 0;
  if (onnxStart && !graph && lastField < 7) {
    // Writers emit fields in number order and the graph is field 7: this file stops before it.
    throw new LpcvError('LPCV_E_MODEL_TRUNCATED', `${fileLabel} ends at byte ${bytes.byteLength} before its graph: truncated?`);
  }
  if (!raw.irVersion || !graph) {
    const missing = !raw.irVersion && !graph ? 'ir_version and graph' : !graph ? 'graph' : 'ir_version';
    throw new LpcvError('LPCV_E_MODEL_NOT_ONNX', `${fileLabel} is not an ONNX model (no ${missing} in it)`);
  }
  if (raw.irVersion >= 3 && raw.opsetImport.length === 0) {
    // Writers put opset_import (field 8) right after the graph (field 7): a file cut at that boundary
    // decodes cleanly but lacks it.
    if (lastField === 7) {
      throw new LpcvError('LPCV_E_MODEL_TRUNCATED', `${fileLabel} ends right after its graph, without the opset_import that follows: truncated?`);
    }
    throw new LpcvError('LPCV_E_MODEL_NOT_ONNX', `${fileLabel} is not a valid ONNX model (no opset_import, required from IR version 3)`);
  }
  const size = modelComplexity(raw);
  if (size.nodes > MAX_MODEL_NODES || size.depth > MAX_SUBGRAPH_DEPTH) {
    const over =
      size.nodes > MAX_MODEL_NODES ? `${size.nodes} nodes (at most ${MAX_MODEL_NODES})` : `subgraphs nested ${size.depth} deep (at most ${MAX_SUBGRAPH_DEPTH})`;
    throw new LpcvError('LPCV_E_MODEL_TOO_COMPLEX', `${fileLabel} has ${over}`, { nodes: size.nodes, depth: size.depth });
  }
  const external = findExternalTensor(raw);
  if (external) {
    throw new LpcvError(
      'LPCV_E_MODEL_FORMAT',
      `${fileLabel} keeps tensor '${external.name}' (at ${external.path}) in an external data file ('${external.location}'); ` +
        'submit one self-contained .onnx file (onnx.save(model, path, save_as_external_data=False))',
    );
  }
  return toOnnxModel({ ...raw, graph });
}
