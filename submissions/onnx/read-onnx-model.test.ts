import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { encodeModel, fixtureBytes, rawValueInfo } from '../../test/testing/onnx-fixtures.js';
import { identityChainModel, nestedIfModel } from '../../test/testing/hostile-onnx.js';
import { MAX_MODEL_NODES, MAX_SUBGRAPH_DEPTH } from './model-complexity.js';
import { readOnnxModel } from './read-onnx-model.js';

/** xorshift32: the same "random" bytes on every run. */
function randomBytes(seed: number, length: number): Uint8Array {
  let x = seed >>> 0 || 1;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const tinyConv = fixtureBytes('tiny-conv.onnx');

describe('readOnnxModel on a real model', () => {
  const m = readOnnxModel(tinyConv, 'tiny-conv.onnx');

  it('reads the header', () => {
    expect(m.irVersion).toBe(7);
    expect(m.opsetImports).toEqual([{ domain: '', version: 13 }]);
    expect(m.producerName).toBe('lpcv-harness test/fixtures/onnx/make_fixtures.py');
  });

  it('reads nodes with their attributes', () => {
    expect(m.graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'GlobalAveragePool', 'Flatten', 'Gemm', 'Identity']);
    const conv = m.graph.nodes[0];
    expect(conv.name).toBe('conv');
    expect(conv.inputs).toEqual(['input', 'conv.weight', 'conv.bias']);
    expect(conv.outputs).toEqual(['conv_out']);
    expect(conv.attributes.kernel_shape).toEqual({ kind: 'ints', value: [3, 3] });
    expect(conv.attributes.pads).toEqual({ kind: 'ints', value: [1, 1, 1, 1] });
    expect(m.graph.nodes[4].attributes.transB).toEqual({ kind: 'int', value: 1 });
  });

  it('reads initializers without keeping big weights, and declared inputs and outputs', () => {
    expect(m.graph.initializers.map((t) => [t.name, t.dims, t.dtype])).toEqual([
      ['conv.weight', [8, 1, 3, 3], 'float32'],
      ['conv.bias', [8], 'float32'],
      ['fc.weight', [10, 8], 'float32'],
      ['fc.bias', [10], 'float32'],
    ]);
    expect(m.graph.initializers[0].values).toBeNull(); // 72 elements > MAX_INLINE_VALUES
    expect(m.graph.initializers[1].values).toHaveLength(8);
    expect(m.graph.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: ['batch', 1, 28, 28] }]);
    expect(m.graph.outputs).toEqual([{ name: 'output', dtype: 'float32', shape: ['batch', 10] }]);
  });

  it('decodes int64 raw_data and Constant tensors (reshape-chain.onnx)', () => {
    const rc = readOnnxModel(fixtureBytes('reshape-chain.onnx'));
    expect(rc.graph.initializers.find((t) => t.name === 'zero_index')).toMatchObject({ dims: [], dtype: 'int64', values: [0] });
    const square = rc.graph.nodes.find((n) => n.name === 'square_shape');
    expect(square?.attributes.value).toMatchObject({ kind: 'tensor', value: { dims: [3], dtype: 'int64', values: [0, 8, 8] } });
  });
});

describe('readOnnxModel on files that are not (whole) ONNX models', () => {
  it('empty file -> LPCV_E_MODEL_EMPTY', () => {
    expect(errorOf(() => readOnnxModel(new Uint8Array(0), 'x.onnx'))).toMatchObject({ code: 'LPCV_E_MODEL_EMPTY', message: 'x.onnx is empty (0 bytes)' });
  });

  it('tiny-conv cut in half -> LPCV_E_MODEL_TRUNCATED, naming where it ends and what the graph declared', () => {
    const half = tinyConv.subarray(0, Math.floor(tinyConv.length / 2));
    // The graph field (7) starts at byte 53 with a 2-byte length: it declares bytes up to 1262 of the 1268;
    // opset_import takes the last 6.
    expect(tinyConv.length).toBe(1268);
    expect(errorOf(() => readOnnxModel(half, 'half.onnx'))).toMatchObject({
      code: 'LPCV_E_MODEL_TRUNCATED',
      message: 'half.onnx ends early at byte 634 of 1262: truncated?',
    });
  });

  it('every cut from 2 bytes to one byte short is LPCV_E_MODEL_TRUNCATED', () => {
    const codes = new Set<string>();
    for (let n = 2; n < tinyConv.length; n++) {
      codes.add(errorOf(() => readOnnxModel(tinyConv.subarray(0, n))).code);
    }
    expect([...codes]).toEqual(['LPCV_E_MODEL_TRUNCATED']);
  });

  it('random bytes -> LPCV_E_MODEL_NOT_ONNX (40 seeds, 16 B to 64 KiB)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      expect(errorOf(() => readOnnxModel(randomBytes(seed, 16 << (seed % 13)), `random-${seed}`)).code, `seed ${seed}`).toBe('LPCV_E_MODEL_NOT_ONNX');
    }
  });

  it('a PNG and a JPEG -> LPCV_E_MODEL_NOT_ONNX', async () => {
    const image = sharp({ create: { width: 28, height: 28, channels: 3, background: '#808080' } });
    for (const bytes of [await image.clone().png().toBuffer(), await image.clone().jpeg().toBuffer()]) {
      expect(errorOf(() => readOnnxModel(bytes, 'picture')).code).toBe('LPCV_E_MODEL_NOT_ONNX');
    }
  });

  it('text files -> LPCV_E_MODEL_NOT_ONNX', () => {
    for (const text of ['hello world\n', 'id,label\n0,3\n1,7\n', '{"model": "onnx"}', '#!/usr/bin/env python3\nprint(1)\n']) {
      expect(errorOf(() => readOnnxModel(new TextEncoder().encode(text), 'text')).code, text).toBe('LPCV_E_MODEL_NOT_ONNX');
    }
  });

  it('a protobuf ModelProto without a graph -> LPCV_E_MODEL_NOT_ONNX', () => {
    const bytes = encodeModel({ irVersion: 7, producerName: 'nothing', opsetImport: [{ domain: '', version: 13 }] });
    expect(errorOf(() => readOnnxModel(bytes, 'nograph.onnx'))).toMatchObject({
      code: 'LPCV_E_MODEL_NOT_ONNX',
      message: 'nograph.onnx is not an ONNX model (no graph in it)',
    });
  });

  it('a model cut exactly after its graph (no opset_import) -> LPCV_E_MODEL_TRUNCATED', () => {
    expect(errorOf(() => readOnnxModel(tinyConv.subarray(0, 1262))).code).toBe('LPCV_E_MODEL_TRUNCATED');
  });

  it('weights in an external data file -> LPCV_E_MODEL_FORMAT', () => {
    const bytes = encodeModel({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }],
        initializer: [{ name: 'w', dims: [4], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'weights.bin' }] }],
        input: [rawValueInfo('x', [4])],
        output: [rawValueInfo('y', [4])],
      },
    });
    expect(errorOf(() => readOnnxModel(bytes, 'ext.onnx'))).toMatchObject({
      code: 'LPCV_E_MODEL_FORMAT',
      message:
        "ext.onnx keeps tensor 'w' (at graph.initializer[0]) in an external data file ('weights.bin'); submit one self-contained .onnx file (onnx.save(model, path, save_as_external_data=False))",
    });
  });

  it('keeps unknown, symbolic and fixed dims apart, and tensor types by name', () => {
    const bytes = encodeModel({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        node: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
        input: [rawValueInfo('x', ['N', null, 0, 5], 2)],
        output: [{ name: 'y', type: { tensorType: { elemType: 7 } } }],
      },
    });
    const m = readOnnxModel(bytes);
    expect(m.graph.inputs).toEqual([{ name: 'x', dtype: 'uint8', shape: ['N', null, 0, 5] }]);
    expect(m.graph.outputs).toEqual([{ name: 'y', dtype: 'int64', shape: null }]);
  });
});

describe('readOnnxModel on models over the complexity limits', () => {
  it('refuses more nodes than MAX_MODEL_NODES with LPCV_E_MODEL_TOO_COMPLEX, and reads one at the limit', () => {
    const at = readOnnxModel(identityChainModel(MAX_MODEL_NODES), 'at.onnx');
    expect(at.graph.nodes).toHaveLength(MAX_MODEL_NODES);
    expect(errorOf(() => readOnnxModel(identityChainModel(MAX_MODEL_NODES + 1), 'over.onnx'))).toMatchObject({
      code: 'LPCV_E_MODEL_TOO_COMPLEX',
      message: `over.onnx has ${MAX_MODEL_NODES + 1} nodes (at most ${MAX_MODEL_NODES})`,
    });
  });

  it('refuses subgraphs nested deeper than MAX_SUBGRAPH_DEPTH, and reads them at the limit', () => {
    expect(readOnnxModel(nestedIfModel(MAX_SUBGRAPH_DEPTH), 'at.onnx').graph.nodes[0]?.opType).toBe('If');
    expect(errorOf(() => readOnnxModel(nestedIfModel(MAX_SUBGRAPH_DEPTH + 1), 'deep.onnx'))).toMatchObject({
      code: 'LPCV_E_MODEL_TOO_COMPLEX',
      message: `deep.onnx has subgraphs nested ${MAX_SUBGRAPH_DEPTH + 1} deep (at most ${MAX_SUBGRAPH_DEPTH})`,
    });
  });

  it('refuses nesting too deep for the decoder itself as too complex, not as truncated', () => {
    // Hand-made bytes: a graph whose node's attribute holds a graph whose node's attribute ... 200 levels,
    // far past the 100 nested messages the decoder follows.
    const levels = 200;
    const tag = (num: number): number => (num << 3) | 2;
    // Innermost first: graph { name: "g" }; each level wraps it: attribute { g: graph } (field 6), node {
    // attribute } (field 5), graph { node } (field 1). Lengths are varints, built from the inside out.
    let body: Buffer = Buffer.from([0x12, 1, 0x67]); // GraphProto.name = "g"
    const wrap = (num: number, inner: Buffer): Buffer => {
      const len: number[] = [];
      let n = inner.length;
      while (n > 0x7f) {
        len.push((n & 0x7f) | 0x80);
        n = Math.floor(n / 128);
      }
      len.push(n);
      return Buffer.concat([Buffer.from([tag(num), ...len]), inner]);
    };
    for (let i = 0; i < levels; i++) body = wrap(1, wrap(5, wrap(6, body)));
    const bytes = Buffer.concat([Buffer.from([0x08, 8]), wrap(7, body)]);
    expect(errorOf(() => readOnnxModel(bytes, 'abyss.onnx'))).toMatchObject({ code: 'LPCV_E_MODEL_TOO_COMPLEX' });
  });
});
