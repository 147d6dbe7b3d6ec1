import { describe, expect, it } from 'vitest';
import { fixtureBytes, model, node, tensor, valueInfo } from '../../test/testing/onnx-fixtures.js';
import type { OnnxNode, OnnxTensorInfo, OnnxValueInfo } from './onnx-model.js';
import { readOnnxModel } from './read-onnx-model.js';
import { inferShapes, type ShapeInferenceOptions } from './shape-inference.js';

/** The shape inferred for `out` in a one-input graph. */
function shapeAfter(
  input: OnnxValueInfo,
  nodes: OnnxNode[],
  out: string,
  initializers: OnnxTensorInfo[] = [],
  opts: ShapeInferenceOptions & { opset?: number } = {},
): number[] | null {
  const m = model({ inputs: [input], nodes, initializers, opset: opts.opset });
  return inferShapes(m, opts).tensors.get(out)?.shape ?? null;
}

const x = (shape: (number | string | null)[]): OnnxValueInfo => valueInfo('x', shape);
const w = (dims: number[]): OnnxTensorInfo => tensor('w', dims);

describe('Conv', () => {
  it('explicit pads and strides: ResNet stem, 224 -> 112', () => {
    // floor((224 + 3 + 3 - 7) / 2) + 1 = floor(223 / 2) + 1 = 112
    const y = shapeAfter(x([1, 3, 224, 224]), [node('Conv', ['x', 'w'], ['y'], { pads: [3, 3, 3, 3], strides: [2, 2] })], 'y', [w([64, 3, 7, 7])]);
    expect(y).toEqual([1, 64, 112, 112]);
  });

  it('asymmetric pads and dilations', () => {
    // H: dilated kernel (3 - 1) * 2 + 1 = 5; floor((32 + 2 + 0 - 5) / 1) + 1 = 30
    // W: floor((20 + 0 + 1 - 5) / 2) + 1 = 9
    const y = shapeAfter(x([1, 4, 32, 20]), [node('Conv', ['x', 'w'], ['y'], { pads: [2, 0, 0, 1], strides: [1, 2], dilations: [2, 2] })], 'y', [
      w([6, 4, 3, 3]),
    ]);
    expect(y).toEqual([1, 6, 30, 9]);
  });

  it('auto_pad SAME_UPPER, SAME_LOWER and VALID', () => {
    const conv = (autoPad: string): number[] | null =>
      shapeAfter(x([1, 3, 225, 224]), [node('Conv', ['x', 'w'], ['y'], { auto_pad: autoPad, strides: [2, 2] })], 'y', [w([8, 3, 3, 3])]);
    expect(conv('SAME_UPPER')).toEqual([1, 8, 113, 112]); // ceil(225 / 2), ceil(224 / 2)
    expect(conv('SAME_LOWER')).toEqual([1, 8, 113, 112]);
    expect(conv('VALID')).toEqual([1, 8, 112, 111]); // floor((225 - 3) / 2) + 1, floor((224 - 3) / 2) + 1
  });

  it('grouped (depthwise) conv takes its output channels from W', () => {
    const y = shapeAfter(x([1, 32, 56, 56]), [node('Conv', ['x', 'w'], ['y'], { group: 32, pads: [1, 1, 1, 1] })], 'y', [w([32, 1, 3, 3])]);
    expect(y).toEqual([1, 32, 56, 56]);
  });

  it('ConvTranspose doubles a 7x7 map: 2 * (7 - 1) + 4 - 1 - 1 = 14', () => {
    const y = shapeAfter(x([1, 16, 7, 7]), [node('ConvTranspose', ['x', 'w'], ['y'], { strides: [2, 2], pads: [1, 1, 1, 1] })], 'y', [w([16, 8, 4, 4])]);
    expect(y).toEqual([1, 8, 14, 14]);
  });
});

describe('pooling', () => {
  it('MaxPool 3x3 s2 p1: 112 -> 56', () => {
    expect(shapeAfter(x([1, 64, 112, 112]), [node('MaxPool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })], 'y')).toEqual([
      1, 64, 56, 56,
    ]);
  });

  it('ceil_mode rounds up, but never starts a window in the end padding (PyTorch / onnxruntime rule)', () => {
    const pool = (size: number, pads: number[], ceil: number): number[] | null =>
      shapeAfter(x([1, 1, size, size]), [node('MaxPool', ['x'], ['y'], { kernel_shape: [2, 2], strides: [2, 2], pads, ceil_mode: ceil })], 'y');
    expect(pool(7, [0, 0, 0, 0], 0)).toEqual([1, 1, 3, 3]); // floor(5 / 2) + 1
    expect(pool(7, [0, 0, 0, 0], 1)).toEqual([1, 1, 4, 4]); // ceil(5 / 2) + 1
    // 5 with pads 1: ceil((5 + 2 - 2) / 2) + 1 = 4, but the 4th window starts at 3 * 2 = 6 >= 5 + 1: 3.
    expect(pool(5, [1, 1, 1, 1], 1)).toEqual([1, 1, 3, 3]);
  });

  it('AveragePool, GlobalAveragePool, GlobalMaxPool', () => {
    expect(shapeAfter(x([2, 8, 9, 9]), [node('AveragePool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [3, 3] })], 'y')).toEqual([2, 8, 3, 3]);
    expect(shapeAfter(x([2, 8, 9, 7]), [node('GlobalAveragePool', ['x'], ['y'])], 'y')).toEqual([2, 8, 1, 1]);
    expect(shapeAfter(x([2, 8, 9, 7]), [node('GlobalMaxPool', ['x'], ['y'])], 'y')).toEqual([2, 8, 1, 1]);
  });
});

describe('Gemm and MatMul', () => {
  const gemm = (a: number[], b: number[], attrs: Record<string, number>): number[] | null =>
    shapeAfter(x(a), [node('Gemm', ['x', 'w'], ['y'], attrs)], 'y', [w(b)]);

  it('transA and transB', () => {
    expect(gemm([4, 8], [8, 6], {})).toEqual([4, 6]);
    expect(gemm([8, 4], [8, 6], { transA: 1 })).toEqual([4, 6]);
    expect(gemm([4, 8], [6, 8], { transB: 1 })).toEqual([4, 6]);
    expect(gemm([4, 8], [6, 8], {})).toBeNull(); // K mismatch: unknown, not a crash
  });

  it('MatMul broadcasts batch dims and handles 1-D operands', () => {
    const mm = (a: number[], b: number[]): number[] | null => shapeAfter(x(a), [node('MatMul', ['x', 'w'], ['y'])], 'y', [w(b)]);
    expect(mm([2, 3, 4, 5], [5, 7])).toEqual([2, 3, 4, 7]);
    expect(mm([3, 1, 4, 5], [2, 5, 6])).toEqual([3, 2, 4, 6]);
    expect(mm([5], [5, 7])).toEqual([7]);
    expect(mm([2, 4, 5], [5])).toEqual([2, 4]);
  });
});

describe('element-wise', () => {
  it('unary ops keep the shape', () => {
    const ops = ['Relu', 'Clip', 'Sigmoid', 'Tanh', 'LeakyRelu', 'HardSwish', 'HardSigmoid', 'Softmax', 'Identity', 'Dropout', 'Exp'];
    for (const op of ops) expect(shapeAfter(x([1, 3, 5, 5]), [node(op, ['x'], ['y'])], 'y'), op).toEqual([1, 3, 5, 5]);
  });

  it('BatchNormalization keeps the shape', () => {
    const params = ['s', 'b', 'm', 'v'].map((n) => tensor(n, [3]));
    expect(shapeAfter(x([1, 3, 5, 5]), [node('BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y'])], 'y', params)).toEqual([1, 3, 5, 5]);
  });

  it('numpy broadcasting for Add / Mul / Sub / Div', () => {
    for (const op of ['Add', 'Mul', 'Sub', 'Div']) {
      expect(shapeAfter(x([1, 3, 1, 5]), [node(op, ['x', 'w'], ['y'])], 'y', [w([4, 1])]), op).toEqual([1, 3, 4, 5]);
    }
    expect(shapeAfter(x([2, 3]), [node('Add', ['x', 'w'], ['y'])], 'y', [w([])])).toEqual([2, 3]);
    expect(shapeAfter(x([3]), [node('Add', ['x', 'w'], ['y'])], 'y', [w([4])])).toBeNull();
  });
});

describe('layout ops', () => {
  it('Concat, Flatten, Transpose', () => {
    expect(shapeAfter(x([1, 3, 4, 4]), [node('Concat', ['x', 'w', 'x'], ['y'], { axis: 1 })], 'y', [w([1, 5, 4, 4])])).toEqual([1, 11, 4, 4]);
    expect(shapeAfter(x([1, 3, 4, 4]), [node('Concat', ['x', 'x'], ['y'], { axis: -1 })], 'y')).toEqual([1, 3, 4, 8]);
    expect(shapeAfter(x([2, 3, 4, 5]), [node('Flatten', ['x'], ['y'])], 'y')).toEqual([2, 60]);
    expect(shapeAfter(x([2, 3, 4, 5]), [node('Flatten', ['x'], ['y'], { axis: 0 })], 'y')).toEqual([1, 120]);
    expect(shapeAfter(x([2, 3, 4, 5]), [node('Flatten', ['x'], ['y'], { axis: 3 })], 'y')).toEqual([24, 5]);
    expect(shapeAfter(x([2, 3, 4]), [node('Transpose', ['x'], ['y'])], 'y')).toEqual([4, 3, 2]);
    expect(shapeAfter(x([2, 3, 4, 5]), [node('Transpose', ['x'], ['y'], { perm: [0, 2, 3, 1] })], 'y')).toEqual([2, 4, 5, 3]);
  });

  it('Reshape from an initializer: 0 copies a dim, -1 takes the rest', () => {
    const shape = (values: number[]): OnnxTensorInfo => tensor('s', [values.length], 'int64', values);
    const reshape = (values: number[]): number[] | null => shapeAfter(x([2, 3, 4, 5]), [node('Reshape', ['x', 's'], ['y'])], 'y', [shape(values)]);
    expect(reshape([0, -1])).toEqual([2, 60]);
    expect(reshape([0, 0, -1])).toEqual([2, 3, 20]);
    expect(reshape([-1, 10])).toEqual([12, 10]);
    expect(reshape([7, -1])).toBeNull(); // 120 is not a multiple of 7
    expect(reshape([-1, -1])).toBeNull();
  });

  it('Reshape from a Constant node', () => {
    const nodes = [node('Constant', [], ['s'], { value: tensor('v', [3], 'int64', [0, 12, -1]) }), node('Reshape', ['x', 's'], ['y'])];
    expect(shapeAfter(x([2, 3, 4, 5]), nodes, 'y')).toEqual([2, 12, 5]);
  });

  it('Pad from attribute (opset 2) and from its pads input (opset 11+)', () => {
    expect(shapeAfter(x([1, 3, 4, 4]), [node('Pad', ['x'], ['y'], { pads: [0, 0, 1, 2, 0, 0, 3, 4] })], 'y', [], { opset: 2 })).toEqual([1, 3, 8, 10]);
    const pads = tensor('p', [8], 'int64', [0, 0, 1, 2, 0, 0, 3, 4]);
    expect(shapeAfter(x([1, 3, 4, 4]), [node('Pad', ['x', 'p'], ['y'])], 'y', [pads])).toEqual([1, 3, 8, 10]);
  });

  it('Slice, Squeeze, Unsqueeze, Resize by scales', () => {
    const i64 = (name: string, v: number[]): OnnxTensorInfo => tensor(name, [v.length], 'int64', v);
    expect(
      shapeAfter(x([1, 3, 10, 10]), [node('Slice', ['x', 'st', 'en', 'ax', 'sp'], ['y'])], 'y', [
        i64('st', [1, -1]),
        i64('en', [9, 0]),
        i64('ax', [2, 3]),
        i64('sp', [3, -2]),
      ]),
    ).toEqual([1, 3, 3, 5]); // ceil((9 - 1) / 3) = 3; from 9 down to (exclusive) 0 by 2: 9, 7, 5, 3, 1
    expect(shapeAfter(x([1, 3, 1, 5]), [node('Squeeze', ['x'], ['y'])], 'y')).toEqual([3, 5]);
    expect(shapeAfter(x([3, 5]), [node('Unsqueeze', ['x', 'a'], ['y'])], 'y', [i64('a', [0, -1])])).toEqual([1, 3, 5, 1]);
    const scales = tensor('sc', [4], 'float32', [1, 1, 2, 2]);
    expect(shapeAfter(x([1, 3, 7, 8]), [node('Resize', ['x', '', 'sc'], ['y'])], 'y', [scales])).toEqual([1, 3, 14, 16]);
  });
});

describe('graph-level behaviour', () => {
  it('symbolic input dims become `batch` (default 1), and the same dim_param downstream too', () => {
    const m = model({
      inputs: [valueInfo('x', ['N', 3, 8, 8])],
      outputs: [valueInfo('z', ['N', 3, 8, 8])],
      nodes: [node('MyCustomOp', ['x'], ['z'])],
    });
    expect(inferShapes(m).inputShapes).toEqual({ x: [1, 3, 8, 8] });
    expect(inferShapes(m, { batch: 4 }).tensors.get('z')?.shape).toEqual([4, 3, 8, 8]); // from the declared output
    expect(inferShapes(m, { inputShapes: { x: [2, 3, 8, 8] } }).tensors.get('z')?.shape).toEqual([2, 3, 8, 8]);
  });

  it('unknown ops are listed once and make their outputs unknown without failing', () => {
    const m = model({
      inputs: [valueInfo('x', [1, 3, 8, 8])],
      nodes: [
        node('FancyAttention', ['x'], ['a']),
        node('Relu', ['a'], ['b']),
        { ...node('FusedConv', ['b'], ['c']), domain: 'com.microsoft' },
        node('FancyAttention', ['c'], ['d']),
        node('Relu', ['x'], ['e']),
      ],
    });
    const r = inferShapes(m);
    expect(r.unknownOps).toEqual(['FancyAttention', 'com.microsoft:FusedConv']);
    expect(r.tensors.get('b')?.shape).toBeNull();
    expect(r.tensors.get('d')?.shape).toBeNull();
    expect(r.tensors.get('e')?.shape).toEqual([1, 3, 8, 8]);
  });

  it('a malformed node (Conv without a weight) gives unknown, not an exception', () => {
    expect(shapeAfter(x([1, 3, 8, 8]), [node('Conv', ['x'], ['y'])], 'y')).toBeNull();
  });

  it('resolves the Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain of reshape-chain.onnx', () => {
    const r = inferShapes(readOnnxModel(fixtureBytes('reshape-chain.onnx')), { batch: 3 });
    const shape = (n: string): number[] | null => r.tensors.get(n)?.shape ?? null;
    expect(shape('conv_out')).toEqual([3, 4, 4, 4]); // floor((8 + 2 - 3) / 2) + 1 = 4
    expect(r.tensors.get('conv_shape')?.values).toEqual([3, 4, 4, 4]);
    expect(r.tensors.get('flat_shape')?.values).toEqual([3, -1]);
    expect(shape('flat')).toEqual([3, 64]);
    expect(shape('square')).toEqual([3, 8, 8]);
    expect(shape('flat_again')).toEqual([3, 64]);
    expect(shape('output')).toEqual([3, 10]);
    expect(r.unknownOps).toEqual([]);
  });
});
