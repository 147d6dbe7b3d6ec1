/** Shape rules for element-wise operators: unary ones keep the shape, n-ary ones broadcast (numpy rules). */
import { attrInt } from '../node-attributes.js';
import { dtypeName } from '../tensor-dtype.js';
import type { KnownTensor, RuleResult, ShapeRule } from './rule-types.js';

/** numpy broadcasting: align from the right; each pair of dims must be equal or one of them 1. */
export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] | null {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let dim = 1;
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1;
      if (d === 1) continue;
      if (dim !== 1 && d !== dim) return null;
      dim = d;
    }
    out.push(dim);
  }
  return out;
}

/** Ops whose (first) output has the shape of input 0. */
const SAME_SHAPE_OPS = [
  'Identity',
  'Dropout',
  'Relu',
  'LeakyRelu',
  'PRelu',
  'Elu',
  'Selu',
  'Celu',
  'ThresholdedRelu',
  'Sigmoid',
  'HardSigmoid',
  'HardSwish',
  'Tanh',
  'Softplus',
  'Softsign',
  'Gelu',
  'Mish',
  'Clip',
  'Shrink',
  'Exp',
  'Log',
  'Sqrt',
  'Abs',
  'Neg',
  'Reciprocal',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
  'Erf',
  'Not',
  'BitwiseNot',
  'Sin',
  'Cos',
  'Tan',
  'Asin',
  'Acos',
  'Atan',
  'Sinh',
  'Cosh',
  'Asinh',
  'Acosh',
  'Atanh',
  'IsNaN',
  'IsInf',
  'Softmax',
  'LogSoftmax',
  'Hardmax',
  'LRN',
  'InstanceNormalization',
  'MeanVarianceNormalization',
  'LayerNormalization',
  'QuantizeLinear',
  'DequantizeLinear',
  'CastLike',
  'Trilu',
  'CumSum',
];

const BOOL_RESULT_OPS = ['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf', 'Not'];

const sameShape: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  if (!x.shape) return null;
  const op = ctx.node.opType;
  const dtype = BOOL_RESULT_OPS.includes(op)
    ? 'bool'
    : op === 'DequantizeLinear'
      ? 'float32'
      : op === 'QuantizeLinear'
        ? (ctx.input(2).dtype ?? 'uint8')
        : x.dtype;
  // PRelu broadcasts its slope into X; the result still has X's shape.
  const values = op === 'Identity' ? x.values : null;
  // Dropout's optional mask has X's shape; other extra outputs (LayerNormalization's mean) stay unknown.
  return ctx.node.outputs.map((_, i) => (i === 0 ? { shape: x.shape, dtype, values } : op === 'Dropout' ? { shape: x.shape, dtype: 'bool' } : {}));
};

/** BatchNormalization: Y like X; in training mode the running mean / variance outputs are [C]. */
const batchNorm: ShapeRule = (ctx) => {
  const x = ctx.input(0).shape;
  if (!x) return null;
  return ctx.node.outputs.map((_, i) => (i === 0 ? { shape: x } : { shape: x.length > 1 ? [x[1]] : null }));
};

/** Cast keeps the shape; small known values pass through (truncated for integer targets). */
const cast: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const dtype = dtypeName(attrInt(ctx.node, 'to', 0));
  const isInt = /^u?int/.test(dtype);
  const values = x.values ? x.values.map((v) => (isInt ? Math.trunc(v) : v)) : null;
  return [{ shape: x.shape, dtype, values }];
};

type Arith = (a: number, b: number, integer: boolean) => number;
const ARITH: Record<string, Arith> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b, integer) => (integer ? Math.trunc(a / b) : a / b),
};

/** Element values of a broadcast binary op on small constants (shape arithmetic such as Div(H, 2)). */
function arithmetic(op: string, a: KnownTensor, b: KnownTensor, shape: number[]): number[] | null {
  const f = ARITH[op];
  if (!f || !a.values || !b.values || !a.shape || !b.shape || shape.length > 1) return null;
  const integer = /^u?int/.test(a.dtype ?? '') && /^u?int/.test(b.dtype ?? '');
  if (op === 'Div' && !integer && !(/^float/.test(a.dtype ?? '') && /^float/.test(b.dtype ?? ''))) return null;
  const n = shape.length === 0 ? 1 : shape[0];
  const av = a.values;
  const bv = b.values;
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(f(av[av.length === 1 ? 0 : i], bv[bv.length === 1 ? 0 : i], integer));
  return out;
}

const broadcast: ShapeRule = (ctx): RuleResult | null => {
  const inputs = ctx.node.inputs.map((_, i) => ctx.input(i));
  const shapes = inputs.map((t) => t.shape);
  if (shapes.length === 0 || shapes.some((s) => s === null)) return null;
  const shape = broadcastShapes(shapes as number[][]);
  if (!shape) return null;
  const op = ctx.node.opType;
  // Where(cond, x, y) takes its type from x.
  const dtype = BOOL_RESULT_OPS.includes(op) ? 'bool' : op === 'Where' ? inputs[1].dtype : inputs[0].dtype;
  const values = inputs.length === 2 ? arithmetic(op, inputs[0], inputs[1], shape) : null;
  return [{ shape, dtype, values }];
};

const BROADCAST_OPS = [
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Mod',
  'Max',
  'Min',
  'Sum',
  'Mean',
  'Where',
  'BitShift',
  'Equal',
  'Less',
  'LessOrEqual',
  'Greater',
  'GreaterOrEqual',
  'And',
  'Or',
  'Xor',
  'BitwiseAnd',
  'BitwiseOr',
  'BitwiseXor',
];

export const ELEMENTWISE_RULES: Record<string, ShapeRule> = {
  ...Object.fromEntries(SAME_SHAPE_OPS.map((op) => [op, sameShape])),
  ...Object.fromEntries(BROADCAST_OPS.map((op) => [op, broadcast])),
  BatchNormalization: batchNorm,
  Cast: cast,
};
