/** Shape rules for Gemm and MatMul, and the M, K, N the cost model multiplies. */
import { attrInt } from '../node-attributes.js';
import type { OnnxNode } from '../onnx-model.js';
import { broadcastShapes } from './elementwise.js';
import type { ShapeRule } from './rule-types.js';

export interface MatmulDims {
  /** Product of the broadcast batch dims (1 for plain 2-D products). */
  batch: number;
  m: number;
  k: number;
  n: number;
  shape: number[];
}

/** numpy matmul: 1-D operands get a 1 prepended (A) or appended (B), which is removed again from the result. */
export function matmulDims(a: readonly number[], b: readonly number[]): MatmulDims | null {
  if (a.length === 0 || b.length === 0) return null;
  const a2 = a.length === 1 ? [1, a[0]] : [...a];
  const b2 = b.length === 1 ? [b[0], 1] : [...b];
  const m = a2[a2.length - 2];
  const k = a2[a2.length - 1];
  const n = b2[b2.length - 1];
  if (b2[b2.length - 2] !== k) return null;
  const batchDims = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)]);
  if (!batchDims) return null;
  const shape = [...batchDims, ...(a.length === 1 ? [] : [m]), ...(b.length === 1 ? [] : [n])];
  return { batch: batchDims.reduce((x, y) => x * y, 1), m, k, n, shape };
}

/** Gemm: A is [M, K] ([K, M] with transA), B is [K, N] ([N, K] with transB). */
export function gemmDims(node: OnnxNode, a: readonly number[], b: readonly number[]): MatmulDims | null {
  if (a.length !== 2 || b.length !== 2) return null;
  const [m, k] = attrInt(node, 'transA', 0) ? [a[1], a[0]] : [a[0], a[1]];
  const [kb, n] = attrInt(node, 'transB', 0) ? [b[1], b[0]] : [b[0], b[1]];
  if (k !== kb) return null;
  return { batch: 1, m, k, n, shape: [m, n] };
}

const gemm: ShapeRule = (ctx) => {
  const a = ctx.input(0).shape;
  const b = ctx.input(1).shape;
  const dims = a && b ? gemmDims(ctx.node, a, b) : null;
  return dims ? [{ shape: dims.shape }] : null;
};

/** MatMul and MatMulInteger (A = input 0, B = input 1); QLinearMatMul (A = input 0, B = input 3). */
function matmulRule(bIndex: number, dtype?: string): ShapeRule {
  return (ctx) => {
    const a = ctx.input(0).shape;
    const b = ctx.input(bIndex).shape;
    const dims = a && b ? matmulDims(a, b) : null;
    return dims ? [{ shape: dims.shape, ...(dtype ? { dtype } : {}) }] : null;
  };
}

export const LINEAR_RULES: Record<string, ShapeRule> = {
  Gemm: gemm,
  MatMul: matmulRule(1),
  MatMulInteger: matmulRule(1, 'int32'),
  QLinearMatMul: matmulRule(3),
};
