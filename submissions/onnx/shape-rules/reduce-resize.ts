/** Shape rules for reductions (ReduceMean, ArgMax, ...) and for resizing (Resize, Upsample). */
import { attrFloats, attrInt, attrInts, attrString } from '../node-attributes.js';
import { intsArgument } from './tensor-layout.js';
import { normAxis, type ShapeRule } from './rule-types.js';

const REDUCE_OPS = [
  'ReduceMean',
  'ReduceSum',
  'ReduceMax',
  'ReduceMin',
  'ReduceProd',
  'ReduceL1',
  'ReduceL2',
  'ReduceLogSum',
  'ReduceLogSumExp',
  'ReduceSumSquare',
];

/** Reduce*: axes from the attribute or (ReduceSum 13+, the rest 18+) input 1; none means all, unless noop_with_empty_axes. */
const reduce: ShapeRule = (ctx) => {
  const x = ctx.input(0).shape;
  if (!x) return null;
  const hasAxes = ctx.node.attributes.axes !== undefined || ctx.hasInput(1);
  const given = hasAxes ? intsArgument(ctx, 'axes', 1) : [];
  if (!given) return null;
  if (given.length === 0 && attrInt(ctx.node, 'noop_with_empty_axes', 0) === 1) return [{ shape: x }];
  const axes = given.length === 0 ? x.map((_, i) => i) : given.map((a) => normAxis(a, x.length));
  if (axes.some((a) => a === null)) return null;
  const keep = attrInt(ctx.node, 'keepdims', 1) === 1;
  const shape = x.flatMap((d, i) => (axes.includes(i) ? (keep ? [1] : []) : [d]));
  return [{ shape }];
};

const argReduce: ShapeRule = (ctx) => {
  const x = ctx.input(0).shape;
  if (!x) return null;
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), x.length);
  if (axis === null) return null;
  const keep = attrInt(ctx.node, 'keepdims', 1) === 1;
  const shape = x.flatMap((d, i) => (i === axis ? (keep ? [1] : []) : [d]));
  return [{ shape, dtype: 'int64' }];
};

/**
 * Resize (opset 10: X, scales; 11+: X, roi, scales, sizes; 18+: optional axes) and Upsample (X, scales, or a
 * scales attribute before opset 9). sizes win over scales; a scaled dim is floor(dim * scale). An empty
 * scales or sizes tensor counts as absent.
 */
const resize: ShapeRule = (ctx) => {
  const x = ctx.input(0).shape;
  if (!x) return null;
  const old = ctx.node.opType === 'Upsample' || ctx.opset < 11;
  const present = (i: number): number[] | null => (ctx.hasInput(i) && ctx.input(i).values?.length ? ctx.input(i).values : null);
  const scales = old ? (attrFloats(ctx.node, 'scales') ?? present(1)) : present(2);
  const sizes = old ? null : present(3);
  const axes = (attrInts(ctx.node, 'axes') ?? x.map((_, i) => i)).map((a) => normAxis(a, x.length));
  if (axes.some((a) => a === null)) return null;
  const shape = [...x];
  if (sizes) {
    if (sizes.length !== axes.length || attrString(ctx.node, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch') return null;
    axes.forEach((a, i) => (shape[a as number] = sizes[i]));
  } else if (scales) {
    if (scales.length !== axes.length) return null;
    axes.forEach((a, i) => (shape[a as number] = Math.floor(x[a as number] * scales[i])));
  } else {
    return null;
  }
  return [{ shape }];
};

export const REDUCE_RESIZE_RULES: Record<string, ShapeRule> = {
  ...Object.fromEntries(REDUCE_OPS.map((op) => [op, reduce])),
  ArgMax: argReduce,
  ArgMin: argReduce,
  Resize: resize,
  Upsample: resize,
};
