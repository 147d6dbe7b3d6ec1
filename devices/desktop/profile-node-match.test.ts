import { describe, expect, it } from 'vitest';
import type { OnnxNode } from '../../submissions/onnx/index.js';
import { node } from '../../test/testing/onnx-fixtures.js';
import { matchKernels } from './profile-node-match.js';

// Kernel names as onnxruntime-node 1.30 gives them to such graphs (profile-layers.test.ts profiles real ones,
// and profile-node-match.ts lists what was seen); the graphs are small enough to say by hand where each leads.
const names = (nodes: OnnxNode[]): string[] => nodes.map((n, i) => n.name || `${n.opType}_${i}`);
const matched = (nodes: OnnxNode[], kernels: { name: string; op: string }[]): (string | null)[] =>
  matchKernels(nodes, names(nodes), kernels).map((i) => (i === null ? null : names(nodes)[i]!));

describe('matching profiled kernels to graph nodes', () => {
  it('takes a name that survived, a FusedGemm\'s "fused <name>" and a generated name\'s _token_ suffix', () => {
    const nodes = [
      node('Flatten', ['x'], ['f'], {}, 'flat'),
      node('Gemm', ['f', 'w'], ['g'], {}, 'fc1'),
      node('Relu', ['g'], ['r'], {}, 'act'),
      node('Gemm', ['r', 'w2'], ['y'], {}, 'fc2'),
    ];
    const kernels = [
      { name: 'flat', op: 'Flatten' },
      { name: 'fused fc1', op: 'FusedGemm' },
      { name: 'fc2_token_3', op: 'Gemm' },
    ];
    expect(matched(nodes, kernels)).toEqual(['flat', 'fc1', 'fc2']);
  });

  it('leads an NCHWc kernel back from its output through folded BatchNormalization, Add of a constant and activation to its Conv', () => {
    const nodes = [
      node('Conv', ['x', 'w'], ['c'], {}, 'conv'),
      node('BatchNormalization', ['c', 's', 'b', 'm', 'v'], ['bn_out'], {}, 'bn'),
      node('Add', ['bn_out', 'k'], ['biased'], {}, 'bias'),
      node('Relu', ['biased'], ['r'], {}, 'relu'),
      node('MaxPool', ['r'], ['p'], {}, 'pool'),
    ];
    const kernels = [
      { name: 'r_nchwc', op: 'Conv' },
      { name: 'p_nchwc', op: 'MaxPool' },
      { name: 'ReorderOutput', op: 'ReorderOutput' },
    ];
    expect(matched(nodes, kernels)).toEqual(['conv', 'pool', null]);
  });

  it("names unnamed nodes as inspect does (<op>_<index>), and so matches onnxruntime's names for them", () => {
    const nodes = [node('Conv', ['x', 'w'], ['c']), node('Relu', ['c'], ['r']), node('Conv', ['r', 'w2'], ['c2']), node('Relu', ['c2'], ['y'])];
    expect(
      matched(nodes, [
        { name: 'r_nchwc', op: 'Conv' },
        { name: 'y_nchwc_token_7', op: 'Conv' },
      ]),
    ).toEqual(['Conv_0', 'Conv_2']);
    // Without NCHWc (level "extended"), unnamed fused nodes get new names that lead nowhere.
    expect(matched(nodes, [{ name: 'FusedConv_4', op: 'FusedConv' }])).toEqual([null]);
  });

  it('never crosses a residual Add (two computed inputs): which Conv was fused is not known from the name', () => {
    const nodes = [
      node('Conv', ['x', 'w1'], ['a'], {}, 'main'),
      node('Conv', ['x', 'w2'], ['b'], {}, 'shortcut'),
      node('Add', ['a', 'b'], ['s'], {}, 'residual'),
      node('Relu', ['s'], ['y'], {}, 'out'),
    ];
    expect(matched(nodes, [{ name: 'y_nchwc', op: 'Conv' }])).toEqual([null]);
    // As onnxruntime names it: the Conv's own output, the Add and Relu fused in later.
    expect(
      matched(nodes, [
        { name: 'a_nchwc', op: 'Conv' },
        { name: 'b_nchwc', op: 'Conv' },
      ]),
    ).toEqual(['main', 'shortcut']);
  });

  it('gives a node to one kernel at most, and stops at a node that is neither of its op nor folded', () => {
    const nodes = [node('Conv', ['x', 'w'], ['c'], {}, 'conv'), node('Relu', ['c'], ['r'], {}, 'relu'), node('Softmax', ['r'], ['y'], {}, 'soft')];
    expect(
      matched(nodes, [
        { name: 'conv', op: 'FusedConv' },
        { name: 'r_nchwc', op: 'Conv' },
      ]),
    ).toEqual(['conv', null]);
    expect(
      matched(nodes, [
        { name: 'y_nchwc', op: 'Conv' },
        { name: 'x_nchwc', op: 'Conv' },
        { name: 'nothing', op: 'Conv' },
      ]),
    ).toEqual([null, null, null]);
  });
});
