/**
 * The ONNX protobuf schema, loaded at run time from onnx.proto (copied from ONNX 1.12, see its NOTICE line)
 * with protobufjs, and the shapes of the plain objects that decoding yields. Internal to submissions/onnx:
 * the public view is onnx-model.ts.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

let modelType: protobuf.Type | undefined;

/** The onnx.ModelProto message type, parsed once on first use. */
export function modelProtoType(): protobuf.Type {
  if (!modelType) {
    const root = protobuf.loadSync(fileURLToPath(new URL('./onnx.proto', import.meta.url)));
    modelType = root.lookupType('onnx.ModelProto');
  }
  return modelType;
}

/** Options for Type.toObject: int64 as JS numbers, enums as numbers, absent fields left out, repeated as []. */
export const TO_OBJECT_OPTIONS: protobuf.IConversionOptions = { longs: Number, enums: Number, defaults: false, arrays: true };

// The objects below are what ModelProto.toObject(message, TO_OBJECT_OPTIONS) returns (field names in
// protobufjs's camelCase). Only the fields the reader uses are listed.

export interface RawStringEntry {
  key?: string;
  value?: string;
}

export interface RawTensor {
  dims: number[];
  dataType?: number;
  name?: string;
  rawData?: Uint8Array;
  floatData: number[];
  int32Data: number[];
  int64Data: number[];
  doubleData: number[];
  uint64Data: number[];
  dataLocation?: number;
  externalData: RawStringEntry[];
}

export interface RawAttribute {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: RawTensor;
  g?: RawGraph;
  floats: number[];
  ints: number[];
  strings: Uint8Array[];
  tensors: RawTensor[];
  graphs: RawGraph[];
}

export interface RawNode {
  input: string[];
  output: string[];
  name?: string;
  opType?: string;
  domain?: string;
  attribute: RawAttribute[];
}

export interface RawDim {
  dimValue?: number;
  dimParam?: string;
}

export interface RawTensorType {
  elemType?: number;
  shape?: { dim: RawDim[] };
}

export interface RawTypeProto {
  tensorType?: RawTensorType;
  sparseTensorType?: RawTensorType;
  sequenceType?: object;
  mapType?: object;
  optionalType?: object;
}

export interface RawValueInfo {
  name?: string;
  type?: RawTypeProto;
}

export interface RawGraph {
  node: RawNode[];
  name?: string;
  initializer: RawTensor[];
  input: RawValueInfo[];
  output: RawValueInfo[];
  valueInfo: RawValueInfo[];
}

export interface RawModel {
  irVersion?: number;
  opsetImport: { domain?: string; version?: number }[];
  producerName?: string;
  producerVersion?: string;
  graph?: RawGraph;
}
