import { describe, expect, it } from 'vitest';
import { encodeModel, fixtureBytes, rawValueInfo } from '../../test/testing/onnx-fixtures.js';
import { graphInputs, graphOutputs } from './graph-io.js';
import { readOnnxModel } from './read-onnx-model.js';

const read = (name: string) => readOnnxModel(fixtureBytes(name), name);

describe('graphInputs / graphOutputs on the fixtures', () => {
  it('tiny-conv: one symbolic-batch float input, [batch, 10] float output', () => {
    const m = read('tiny-conv.onnx');
    expect(graphInputs(m)).toEqual([{ name: 'input', dtype: 'float32', shape: ['batch', 1, 28, 28] }]);
    expect(graphOutputs(m)).toEqual([{ name: 'output', dtype: 'float32', shape: ['batch', 10] }]);
  });

  it('wrong-classes, wrong-input, two-inputs, uint8-input', () => {
    expect(graphOutputs(read('wrong-classes.onnx'))[0].shape).toEqual(['batch', 7]);
    expect(graphInputs(read('wrong-input.onnx'))).toEqual([{ name: 'input', dtype: 'float32', shape: [1, 3, 32, 32] }]);
    expect(graphInputs(read('two-inputs.onnx')).map((i) => i.name)).toEqual(['input_a', 'input_b']);
    expect(graphInputs(read('uint8-input.onnx'))[0].dtype).toBe('uint8');
    expect(graphOutputs(read('nan-output.onnx'))).toEqual([{ name: 'output', dtype: 'float32', shape: ['batch', 10] }]);
  });
});

describe('graphInputs with weights listed as inputs (old exporters)', () => {
  it('leaves initializers out', () => {
    const bytes = encodeModel({
      irVersion: 3,
      opsetImport: [{ domain: '', version: 9 }],
      graph: {
        node: [{ opType: 'MatMul', input: ['x', 'w'], output: ['y'] }],
        initializer: [{ name: 'w', dims: [4, 2], dataType: 1, floatData: [1, 2, 3, 4, 5, 6, 7, 8] }],
        input: [rawValueInfo('x', [null, 4]), rawValueInfo('w', [4, 2])],
        output: [rawValueInfo('y', [null, 2])],
      },
    });
    const m = readOnnxModel(bytes);
    expect(m.graph.inputs.map((i) => i.name)).toEqual(['x', 'w']);
    expect(graphInputs(m)).toEqual([{ name: 'x', dtype: 'float32', shape: [null, 4] }]);
  });

  it('returns copies: changing a result does not change the model', () => {
    const m = read('tiny-conv.onnx');
    graphInputs(m)[0].shape[0] = 99;
    expect(graphInputs(m)[0].shape[0]).toBe('batch');
  });
});
