import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { findExternalTensor, tensorFields } from './external-tensors.js';
import { modelProtoType, TO_OBJECT_OPTIONS } from './onnx-schema.js';
import { readOnnxModel } from './read-onnx-model.js';

const camel = (snake: string): string => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** `Message.field` for every field declared with type TensorProto in the vendored onnx.proto, read as text. */
function tensorProtoFieldsInProtoText(): string[] {
  const text = readFileSync(fileURLToPath(new URL('./onnx.proto', import.meta.url)), 'utf8').replace(/\/\/.*$/gm, '');
  const out: string[] = [];
  // Blocks open with 'message X {', 'enum X {' or 'oneof X {' and close with '}'; only messages name fields.
  const stack: Array<{ kind: string; name: string }> = [];
  for (const line of text.split('\n')) {
    const open = /^\s*(message|enum|oneof)\s+(\w+)\s*\{/.exec(line);
    if (open) {
      stack.push({ kind: open[1]!, name: open[2]! });
      continue;
    }
    const field = /^\s*(?:optional|repeated|required)?\s*TensorProto\s+(\w+)\s*=\s*\d+/.exec(line);
    const messages = stack.filter((b) => b.kind === 'message').map((b) => b.name);
    if (field && messages.length > 0) out.push(`onnx.${messages.join('.')}.${camel(field[1]!)}`);
    if (/^\s*\}/.test(line)) stack.pop();
  }
  return out;
}

/** The types the schema can reach from `from` to a TensorProto, by the fields tensorFields lists: a shortest chain. */
function chain(edges: Map<string, Array<{ field: string; to: string }>>, from: string, to: string): string[] | undefined {
  const queue: Array<{ at: string; path: string[] }> = [{ at: from, path: [] }];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const { at, path } = queue.shift()!;
    if (at === to) return path;
    for (const e of edges.get(at) ?? []) {
      if (seen.has(e.to)) continue;
      seen.add(e.to);
      queue.push({ at: e.to, path: [...path, `${at}.${e.field}`] });
    }
  }
  return undefined;
}

/** Wraps `inner` into the plain objects of a chain of `Type.field` steps (arrays for repeated fields). */
function nest(steps: readonly string[], inner: object, fieldOf: (step: string) => protobuf.Field): object {
  let value: object = inner;
  for (const step of [...steps].reverse()) {
    const f = fieldOf(step);
    value = { [f.name]: f.repeated ? [value] : value };
  }
  return value;
}

const EXTERNAL = { name: 'w', dims: [1], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: '0123abcd.onnx' }] };
const INLINE = { name: 'w', dims: [1], dataType: 1, floatData: [1] };

describe('findExternalTensor', () => {
  const model = modelProtoType();
  const edges = new Map<string, Array<{ field: string; to: string }>>();
  const fields = new Map<string, protobuf.Field>();
  for (const step of tensorFields()) {
    const dot = step.lastIndexOf('.');
    const owner = step.slice(0, dot);
    const f = model.root.lookupType(owner).fields[step.slice(dot + 1)]!;
    fields.set(step, f);
    edges.set(owner, [...(edges.get(owner) ?? []), { field: f.name, to: f.resolvedType!.fullName.slice(1) }]);
  }
  const fieldOf = (step: string): protobuf.Field => fields.get(step)!;

  it('follows every field of the schema that can lead to a TensorProto, the ones ONNX added after graphs and initializers included', () => {
    const listed = tensorFields();
    for (const f of tensorProtoFieldsInProtoText()) expect(listed, f).toContain(f);
    for (const f of [
      'onnx.ModelProto.graph',
      'onnx.ModelProto.functions',
      'onnx.ModelProto.trainingInfo',
      'onnx.FunctionProto.node',
      'onnx.GraphProto.initializer',
      'onnx.GraphProto.sparseInitializer',
      'onnx.GraphProto.node',
      'onnx.NodeProto.attribute',
      'onnx.AttributeProto.t',
      'onnx.AttributeProto.tensors',
      'onnx.AttributeProto.sparseTensor',
      'onnx.AttributeProto.sparseTensors',
      'onnx.AttributeProto.g',
      'onnx.AttributeProto.graphs',
      'onnx.SparseTensorProto.values',
      'onnx.SparseTensorProto.indices',
      'onnx.TrainingInfoProto.initialization',
      'onnx.TrainingInfoProto.algorithm',
    ]) {
      expect(listed, f).toContain(f);
    }
    // Messages that hold no tensor are not walked into.
    expect(listed.some((f) => f.startsWith('onnx.TypeProto') || f.startsWith('onnx.ValueInfoProto'))).toBe(false);
  });

  // One model per field: an external tensor reached through that field (the shortest way from the model to the
  // field's message, the field, then the shortest way down to a tensor), refused by readOnnxModel with where it
  // sits; the same model with the tensor inline has none.
  for (const step of tensorFields()) {
    it(`finds an external tensor reached through ${step}`, () => {
      const owner = step.slice(0, step.lastIndexOf('.'));
      const down = fieldOf(step).resolvedType!.fullName.slice(1);
      const toOwner = chain(edges, 'onnx.ModelProto', owner);
      const toTensor = chain(edges, down, 'onnx.TensorProto');
      expect(toOwner, `a way from the model to ${owner}`).toBeDefined();
      expect(toTensor, `a way from ${down} to a tensor`).toBeDefined();
      const steps = [...toOwner!, step, ...toTensor!];
      const build = (tensor: object): Uint8Array => {
        const reached = nest(steps, tensor, fieldOf) as Record<string, unknown>;
        const graph = { name: 'g', ...((reached.graph as object | undefined) ?? {}) };
        const plain = { irVersion: 8, opsetImport: [{ domain: '', version: 13 }], ...reached, graph };
        return model.encode(model.fromObject(plain)).finish();
      };
      const hostile = build(EXTERNAL);
      let error: unknown;
      try {
        readOnnxModel(hostile, 'hostile.onnx');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LpcvError);
      expect((error as LpcvError).code).toBe('LPCV_E_MODEL_FORMAT');
      expect((error as LpcvError).message).toContain("'0123abcd.onnx'");
      const path = steps.map((s) => `${fieldOf(s).name}${fieldOf(s).repeated ? '[0]' : ''}`).join('.');
      expect((error as LpcvError).message).toContain(`(at ${path})`);

      const inline = model.toObject(model.decode(build(INLINE)), TO_OBJECT_OPTIONS);
      expect(findExternalTensor(inline)).toBeUndefined();
    });
  }

  it('counts external_data entries as external even when data_location says DEFAULT', () => {
    const plain = {
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: { name: 'g', initializer: [{ ...INLINE, externalData: [{ key: 'location', value: 'x.bin' }] }] },
    };
    const decoded = model.toObject(model.decode(model.encode(model.fromObject(plain)).finish()), TO_OBJECT_OPTIONS);
    expect(findExternalTensor(decoded)).toEqual({ name: 'w', location: 'x.bin', path: 'graph.initializer[0]' });
  });
});
