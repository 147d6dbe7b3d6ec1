/** Turns the plain objects protobufjs decodes (onnx-schema.ts) into the public OnnxModel view. */
import {
  MAX_INLINE_VALUES,
  type OnnxAttribute,
  type OnnxDim,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensorInfo,
  type OnnxValueInfo,
} from './onnx-model.js';
import type { RawAttribute, RawGraph, RawModel, RawNode, RawTensor, RawValueInfo } from './onnx-schema.js';
import { decodeRawValues, dtypeName, typedFieldFor } from './tensor-dtype.js';

const DATA_LOCATION_EXTERNAL = 1;
const utf8 = new TextDecoder('utf-8');

export function toTensorInfo(raw: RawTensor): OnnxTensorInfo {
  const dims = raw.dims.map(Number);
  const dataType = raw.dataType ?? 0;
  const count = dims.reduce((a, b) => a * b, 1);
  let values: number[] | null = null;
  if (count <= MAX_INLINE_VALUES) {
    if (raw.rawData && raw.rawData.byteLength > 0) {
      values = decodeRawValues(dataType, raw.rawData, count);
    } else {
      const field = typedFieldFor(dataType);
      const data = field ? raw[field] : [];
      if (data.length === count) values = data.map(Number);
    }
  }
  return {
    name: raw.name ?? '',
    dims,
    dtype: dtypeName(dataType),
    values,
    external: raw.dataLocation === DATA_LOCATION_EXTERNAL,
  };
}

// AttributeProto.AttributeType numbers.
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

function toAttribute(raw: RawAttribute): OnnxAttribute {
  // Models from before IR version 2 may leave `type` unset (0); then the field that is present decides.
  let type = raw.type ?? 0;
  if (type === 0) {
    if (raw.f !== undefined) type = ATTR.FLOAT;
    else if (raw.i !== undefined) type = ATTR.INT;
    else if (raw.s !== undefined) type = ATTR.STRING;
    else if (raw.t !== undefined) type = ATTR.TENSOR;
    else if (raw.floats.length > 0) type = ATTR.FLOATS;
    else if (raw.ints.length > 0) type = ATTR.INTS;
    else if (raw.strings.length > 0) type = ATTR.STRINGS;
  }
  switch (type) {
    case ATTR.FLOAT:
      return { kind: 'float', value: raw.f ?? 0 };
    case ATTR.INT:
      return { kind: 'int', value: raw.i ?? 0 };
    case ATTR.STRING:
      return { kind: 'string', value: raw.s ? utf8.decode(raw.s) : '' };
    case ATTR.TENSOR:
      return raw.t ? { kind: 'tensor', value: toTensorInfo(raw.t) } : { kind: 'other' };
    case ATTR.FLOATS:
      return { kind: 'floats', value: raw.floats.map(Number) };
    case ATTR.INTS:
      return { kind: 'ints', value: raw.ints.map(Number) };
    case ATTR.STRINGS:
      return { kind: 'strings', value: raw.strings.map((s) => utf8.decode(s)) };
    default:
      return { kind: 'other' };
  }
}

function toNode(raw: RawNode): OnnxNode {
  const attributes: Record<string, OnnxAttribute> = {};
  for (const a of raw.attribute) if (a.name) attributes[a.name] = toAttribute(a);
  return {
    name: raw.name ?? '',
    opType: raw.opType ?? '',
    domain: raw.domain ?? '',
    inputs: [...raw.input],
    outputs: [...raw.output],
    attributes,
  };
}

function toValueInfo(raw: RawValueInfo): OnnxValueInfo {
  const name = raw.name ?? '';
  const t = raw.type;
  const tensor = t?.tensorType ?? t?.sparseTensorType;
  if (!t || !tensor) {
    const dtype = t?.sequenceType ? 'sequence' : t?.mapType ? 'map' : t?.optionalType ? 'optional' : 'unknown';
    return { name, dtype, shape: null };
  }
  const shape: OnnxDim[] | null = tensor.shape
    ? tensor.shape.dim.map((d) => (d.dimValue !== undefined ? Number(d.dimValue) : d.dimParam ? d.dimParam : null))
    : null;
  return { name, dtype: t.sparseTensorType ? 'sparse_tensor' : dtypeName(tensor.elemType ?? 0), shape };
}

function toGraph(raw: RawGraph): OnnxGraph {
  return {
    name: raw.name ?? '',
    nodes: raw.node.map(toNode),
    initializers: raw.initializer.map(toTensorInfo),
    inputs: raw.input.map(toValueInfo),
    outputs: raw.output.map(toValueInfo),
    valueInfo: raw.valueInfo.map(toValueInfo),
  };
}

/** Converts a decoded ModelProto that has a graph. */
export function toOnnxModel(raw: RawModel & { graph: RawGraph }): OnnxModel {
  return {
    irVersion: Number(raw.irVersion ?? 0),
    opsetImports: raw.opsetImport.map((o) => ({ domain: o.domain ?? '', version: Number(o.version ?? 0) })),
    producerName: raw.producerName ?? '',
    producerVersion: raw.producerVersion ?? '',
    graph: toGraph(raw.graph),
  };
}
