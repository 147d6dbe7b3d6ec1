/**
 * Finds tensors whose data lives outside the model file, wherever the schema lets a TensorProto sit: the walk
 * follows the vendored onnx.proto's own reflection (every message field that can lead to a TensorProto: graphs
 * and the subgraphs in node attributes, model-local functions, sparse initializers and sparse attributes,
 * training info, ...), not a list of fields written by hand, so a field the list would have missed cannot be
 * one the walk misses. external-tensors.test.ts builds one model per such field and checks that each is found.
 *
 * A field that a newer ONNX added and this onnx.proto does not describe is skipped by the decoder, so it is
 * invisible here; runs load every model from a folder that holds it alone (docs/solution-packages.md,
 * docs/protocol.md), so such a tensor could only name the model file itself.
 */
import type protobuf from 'protobufjs';
import { modelProtoType } from './onnx-schema.js';

const TENSOR_PROTO = 'onnx.TensorProto';
const DATA_LOCATION_EXTERNAL = 1;

export interface ExternalTensor {
  /** The tensor's name ('' when it has none). */
  name: string;
  /** The file its external_data names ('?' when none). */
  location: string;
  /** Where it sits in the model, as fields and indices: `functions[0].node[2].attribute[0].t`. */
  path: string;
}

/** Message types of the schema that can hold a TensorProto somewhere below them (TensorProto itself included). */
function tensorHolders(root: protobuf.Type): Set<string> {
  const types = new Map<string, protobuf.Type>();
  const collect = (t: protobuf.Type): void => {
    if (types.has(t.fullName)) return;
    types.set(t.fullName, t);
    for (const f of t.fieldsArray) {
      f.resolve();
      if (f.resolvedType !== null && 'fieldsArray' in f.resolvedType) collect(f.resolvedType);
    }
  };
  collect(root);
  const holders = new Set<string>(types.has(`.${TENSOR_PROTO}`) ? [`.${TENSOR_PROTO}`] : []);
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, t] of types) {
      if (holders.has(name)) continue;
      if (t.fieldsArray.some((f) => f.resolvedType !== null && holders.has(f.resolvedType.fullName))) {
        holders.add(name);
        changed = true;
      }
    }
  }
  return holders;
}

let holdersOfModel: Set<string> | undefined;

/**
 * The fields through which a TensorProto can be reached from a ModelProto: `Type.field` for every field of a
 * message type that can hold one whose own type can hold one. What the walk follows; the test builds a model
 * for each.
 */
export function tensorFields(): string[] {
  const root = modelProtoType();
  holdersOfModel ??= tensorHolders(root);
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (t: protobuf.Type): void => {
    if (seen.has(t.fullName)) return;
    seen.add(t.fullName);
    for (const f of t.fieldsArray) {
      const ft = f.resolvedType;
      if (ft === null || !holdersOfModel!.has(ft.fullName)) continue;
      out.push(`${t.fullName.slice(1)}.${f.name}`);
      visit(ft as protobuf.Type);
    }
  };
  visit(root);
  return out;
}

/** True when the tensor keeps its data in an external file (or names one: no self-contained tensor does). */
function isExternal(tensor: Record<string, unknown>): boolean {
  const entries = tensor.externalData;
  return Number(tensor.dataLocation ?? 0) === DATA_LOCATION_EXTERNAL || (Array.isArray(entries) && entries.length > 0);
}

function describe(tensor: Record<string, unknown>, path: string): ExternalTensor {
  const entries = (Array.isArray(tensor.externalData) ? tensor.externalData : []) as Array<{ key?: string; value?: string }>;
  const location = entries.find((e) => e.key === 'location')?.value ?? '?';
  return { name: typeof tensor.name === 'string' ? tensor.name : '', location, path };
}

/**
 * The first tensor with external data in a decoded ModelProto (the plain object of `Type.toObject` with arrays
 * as arrays, as read-onnx-model.ts decodes it), or undefined when every tensor is self-contained.
 */
export function findExternalTensor(model: object): ExternalTensor | undefined {
  const root = modelProtoType();
  holdersOfModel ??= tensorHolders(root);
  const holders = holdersOfModel;
  const walk = (message: Record<string, unknown>, type: protobuf.Type, path: string): ExternalTensor | undefined => {
    if (type.fullName === `.${TENSOR_PROTO}` && isExternal(message)) return describe(message, path);
    for (const f of type.fieldsArray) {
      const ft = f.resolvedType;
      if (ft === null || !holders.has(ft.fullName)) continue;
      const value = message[f.name];
      if (value === undefined || value === null) continue;
      const at = path === '' ? f.name : `${path}.${f.name}`;
      const items = Array.isArray(value) ? value : [value];
      for (let i = 0; i < items.length; i++) {
        const item: unknown = items[i];
        if (typeof item !== 'object' || item === null) continue;
        const hit = walk(item as Record<string, unknown>, ft as protobuf.Type, Array.isArray(value) ? `${at}[${i}]` : at);
        if (hit) return hit;
      }
    }
    return undefined;
  };
  return walk(model as Record<string, unknown>, root, '');
}
