/**
 * Test helpers: small ONNX models built in code, either as the typed OnnxModel view (for shape and cost
 * tests, no protobuf involved) or as ModelProto bytes (for reader tests that need something the Python
 * fixtures do not have, such as external data).
 */
import { readFileSync } from 'node:fs';
import type { OnnxAttribute, OnnxDim, OnnxModel, OnnxNode, OnnxTensorInfo, OnnxValueInfo } from '../../submissions/onnx/onnx-model.js';
import { modelProtoType } from '../../submissions/onnx/onnx-schema.js';

/** A model of test/fixtures/onnx/ (made by its make_fixtures.py), as bytes. */
export function fixtureBytes(name: string): Uint8Array {
  return readFileSync(new URL(`../fixtures/onnx/${name}`, import.meta.url));
}

type AttrValue = number | number[] | string | OnnxTensorInfo | { floats: number[] } | { float: number };

function toAttribute(v: AttrValue): OnnxAttribute {
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'float', value: v };
  if (Array.isArray(v)) return { kind: 'ints', value: v };
  if ('floats' in v) return { kind: 'floats', value: v.floats };
  if ('float' in v) return { kind: 'float', value: v.float };
  return { kind: 'tensor', value: v };
}

/** A node; integer numbers become int attributes, other numbers float ones, arrays ints. */
export function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name = ''): OnnxNode {
  const attributes: Record<string, OnnxAttribute> = {};
  for (const [k, v] of Object.entries(attrs)) attributes[k] = toAttribute(v);
  return { name, opType, domain: '', inputs, outputs, attributes };
}

/** A constant tensor; `values` given for small shape / axes arguments. */
export function tensor(name: string, dims: number[], dtype = 'float32', values: number[] | null = null): OnnxTensorInfo {
  return { name, dims, dtype, values, external: false };
}

export function valueInfo(name: string, shape: OnnxDim[] | null, dtype = 'float32'): OnnxValueInfo {
  return { name, dtype, shape };
}

export function model(parts: {
  inputs: OnnxValueInfo[];
  outputs?: OnnxValueInfo[];
  nodes: OnnxNode[];
  initializers?: OnnxTensorInfo[];
  valueInfo?: OnnxValueInfo[];
  opset?: number;
}): OnnxModel {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: parts.opset ?? 13 }],
    producerName: 'build-model.ts',
    producerVersion: '',
    graph: {
      name: 'test',
      nodes: parts.nodes,
      initializers: parts.initializers ?? [],
      inputs: parts.inputs,
      outputs: parts.outputs ?? [],
      valueInfo: parts.valueInfo ?? [],
    },
  };
}

/** A float ValueInfoProto object (protobufjs field names) with the given dims. */
export function rawValueInfo(name: string, dims: (number | string | null)[], elemType = 1): object {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) },
      },
    },
  };
}

/** Encodes a plain ModelProto object (protobufjs's camelCase field names) to bytes. */
export function encodeModel(fields: Record<string, unknown>): Uint8Array {
  const type = modelProtoType();
  return type.encode(type.fromObject(fields)).finish();
}
