import { describe, expect, it } from 'vitest';
import { fixtureBytes, model, node, tensor, valueInfo } from '../../test/testing/onnx-fixtures.js';
import { modelCost } from './model-cost.js';
import { readOnnxModel } from './read-onnx-model.js';

describe('modelCost of tiny-conv.onnx (hand-computed)', () => {
  // input [batch, 1, 28, 28]
  //  conv  Conv 3x3 pad 1, W [8, 1, 3, 3] + B [8] -> [batch, 8, 28, 28]
  //  relu, pool (GlobalAveragePool) -> [batch, 8, 1, 1], flatten -> [batch, 8]
  //  fc    Gemm transB, W [10, 8] + B [10] -> [batch, 10], then Identity
  //
  // params: 8*1*3*3 = 72, + 8, + 10*8 = 80, + 10  => 170
  // MACs:   conv = C_out * H_out * W_out * (C_in / group) * kh * kw = 8 * 28 * 28 * 1 * 3 * 3 = 56,448
  //         fc   = M * K * N = 1 * 8 * 10 = 80                                  => 56,528
  // CIO:    conv only: input 1*28*28 = 784 + output 8*28*28 = 6,272             => 7,056
  // MoC:    conv MACs / CIO = 56,448 / 7,056                                    => 8
  const tiny = readOnnxModel(fixtureBytes('tiny-conv.onnx'));

  it('totals', () => {
    const c = modelCost(tiny);
    expect(c.params).toBe(170);
    expect(c.macs).toBe(56_528);
    expect(c.cio).toBe(7_056);
    expect(c.moc).toBe(8);
    expect(c.cioScope).toBe('conv');
    expect(c.cioDefinition).toMatch(/convolution layers/);
    expect(c.batch).toBe(1);
    expect(c.unknownOps).toEqual([]);
    expect(c.uncountedLayers).toEqual([]);
  });

  it('per layer', () => {
    const rows = modelCost(tiny).layers.map((l) => [l.name, l.op, l.inputShape, l.outputShape, l.params, l.macs, l.cio, l.moc]);
    expect(rows).toEqual([
      ['conv', 'Conv', [1, 1, 28, 28], [1, 8, 28, 28], 80, 56_448, 7_056, 8],
      ['relu', 'Relu', [1, 8, 28, 28], [1, 8, 28, 28], 0, 0, null, null],
      ['pool', 'GlobalAveragePool', [1, 8, 28, 28], [1, 8, 1, 1], 0, 0, null, null],
      ['flatten', 'Flatten', [1, 8, 1, 1], [1, 8], 0, 0, null, null],
      ['fc', 'Gemm', [1, 8], [1, 10], 90, 80, null, null],
      ['output_identity', 'Identity', [1, 10], [1, 10], 0, 0, null, null],
    ]);
  });

  it('batch 4 multiplies MACs and CIO, not params or MoC', () => {
    const c = modelCost(tiny, { batch: 4 });
    expect([c.params, c.macs, c.cio, c.moc, c.batch]).toEqual([170, 4 * 56_528, 4 * 7_056, 8, 4]);
  });

  it("cioScope 'conv+linear' adds the Gemm's input and output: 7,056 + 8 + 10 = 7,074", () => {
    const c = modelCost(tiny, { cioScope: 'conv+linear' });
    expect(c.cio).toBe(7_074);
    expect(c.moc).toBeCloseTo(56_528 / 7_074, 12);
    expect(c.layers.find((l) => l.name === 'fc')?.cio).toBe(18);
  });
});

describe('modelCost of reshape-chain.onnx (hand-computed)', () => {
  // conv  W [4, 3, 3, 3] + B [4], stride 2 pad 1: [1, 3, 8, 8] -> [1, 4, 4, 4]
  // fc    W [10, 64] + B [10]: [1, 64] -> [1, 10]
  // params: 108 + 4 + 640 + 10 = 762. Not counted: the Gather index (initializer), the Unsqueeze axes
  //         (initializer) and the two Constant shape tensors, which only feed Reshape shapes.
  // MACs:   conv 4 * 4 * 4 * 3 * 3 * 3 = 1,728; fc 64 * 10 = 640  => 2,368
  // CIO:    3 * 8 * 8 = 192 + 4 * 4 * 4 = 64                      => 256;  MoC 1,728 / 256 = 6.75
  it('counts weights only, and resolves the dynamic flatten', () => {
    const c = modelCost(readOnnxModel(fixtureBytes('reshape-chain.onnx')));
    expect([c.params, c.macs, c.cio, c.moc]).toEqual([762, 2_368, 256, 6.75]);
    expect(c.layers.filter((l) => l.params > 0).map((l) => [l.name, l.params])).toEqual([
      ['conv', 112],
      ['fc', 650],
    ]);
  });
});

describe('modelCost on hand-built graphs', () => {
  it('depthwise + pointwise (MobileNet block) and ConvTranspose', () => {
    // dw: 32 * 56 * 56 * (32 / 32) * 3 * 3 = 903,168; CIO 2 * 32 * 56 * 56 = 200,704
    // pw: 64 * 56 * 56 * 32 * 1 * 1 = 6,422,528;    CIO 32*56*56 + 64*56*56 = 301,056
    // up: ConvTranspose W [64, 16, 2, 2] s2: each of the 64 * 56 * 56 inputs feeds 16 * 2 * 2 outputs
    //     = 200,704 * 64 = 12,845,056; output [1, 16, 112, 112] = 200,704; CIO 200,704 + 200,704 = 401,408
    const m = model({
      inputs: [valueInfo('x', [1, 32, 56, 56])],
      nodes: [
        node('Conv', ['x', 'dw_w'], ['a'], { group: 32, pads: [1, 1, 1, 1] }, 'dw'),
        node('Conv', ['a', 'pw_w'], ['b'], {}, 'pw'),
        node('ConvTranspose', ['b', 'up_w'], ['c'], { strides: [2, 2] }, 'up'),
      ],
      initializers: [tensor('dw_w', [32, 1, 3, 3]), tensor('pw_w', [64, 32, 1, 1]), tensor('up_w', [64, 16, 2, 2])],
    });
    const c = modelCost(m);
    expect(c.layers.map((l) => [l.name, l.outputShape, l.macs, l.cio])).toEqual([
      ['dw', [1, 32, 56, 56], 903_168, 200_704],
      ['pw', [1, 64, 56, 56], 6_422_528, 301_056],
      ['up', [1, 16, 112, 112], 12_845_056, 401_408],
    ]);
    expect(c.params).toBe(288 + 2_048 + 4_096);
    expect(c.cio).toBe(903_168 / 4.5 + 301_056 + 401_408);
  });

  it('batched MatMul counts batch * M * K * N; an unknown op upstream leaves its conv uncounted', () => {
    const m = model({
      inputs: [valueInfo('x', [2, 4, 5]), valueInfo('img', [1, 3, 8, 8])],
      nodes: [
        node('MatMul', ['x', 'w'], ['y'], {}, 'mm'), // 2 * 4 * 5 * 6 = 240
        node('Mystery', ['img'], ['m']),
        node('Conv', ['m', 'k'], ['z'], {}, 'conv_after_mystery'),
      ],
      initializers: [tensor('w', [5, 6]), tensor('k', [2, 3, 1, 1])],
    });
    const c = modelCost(m);
    expect(c.macs).toBe(240);
    expect(c.cio).toBe(0);
    expect(c.moc).toBeNull();
    expect(c.unknownOps).toEqual(['Mystery']);
    expect(c.uncountedLayers).toEqual(['conv_after_mystery']);
    expect(c.layers[1].name).toBe('Mystery_1'); // unnamed node
  });

  it('an unused initializer and a Clip bound are not parameters; a weight shared by two layers counts once', () => {
    const m = model({
      inputs: [valueInfo('x', [1, 4])],
      nodes: [node('MatMul', ['x', 'w'], ['a']), node('MatMul', ['a', 'w'], ['b']), node('Clip', ['b', 'lo', 'hi'], ['y'])],
      initializers: [tensor('w', [4, 4]), tensor('lo', []), tensor('hi', []), tensor('unused', [100])],
    });
    expect(modelCost(m).params).toBe(16);
  });
});
