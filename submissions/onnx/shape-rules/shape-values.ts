/**
 * Shape rules for the operators of shape arithmetic: Shape, Size, Gather, Constant, ConstantOfShape, Range.
 * They also carry small integer values, so that PyTorch's dynamic flatten
 * (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) resolves to a concrete shape.
 */
import { attrFloat, attrFloats, attrInt, attrInts, attrTensor } from '../node-attributes.js';
import { MAX_INLINE_VALUES } from '../onnx-model.js';
import { normAxis, numel, type ShapeRule } from './rule-types.js';

/** Shape (start and end attributes from opset 15, negative counting from the end, clamped). */
const shapeOp: ShapeRule = (ctx) => {
  const x = ctx.input(0).shape;
  if (!x) return null;
  const rank = x.length;
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const dims = x.slice(clamp(attrInt(ctx.node, 'start', 0)), clamp(attrInt(ctx.node, 'end', rank)));
  return [{ shape: [dims.length], dtype: 'int64', values: dims }];
};

const size: ShapeRule = (ctx) => {
  const x = ctx.input(0).shape;
  return x ? [{ shape: [], dtype: 'int64', values: [numel(x)] }] : null;
};

/** Gather: data[:axis] + indices.shape + data[axis+1:]; values for a 1-D data vector with known indices. */
const gather: ShapeRule = (ctx) => {
  const data = ctx.input(0);
  const indices = ctx.input(1);
  if (!data.shape || !indices.shape) return null;
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), data.shape.length);
  if (axis === null) return null;
  const shape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
  let values: number[] | null = null;
  if (data.shape.length === 1 && data.values && indices.values) {
    const dim = data.shape[0];
    values = indices.values.map((i) => (data.values as number[])[i < 0 ? i + dim : i]);
    if (values.some((v) => v === undefined)) values = null;
  }
  return [{ shape, values }];
};

/** Constant: the value tensor, or (opset 12+) value_int(s) / value_float(s). */
const constant: ShapeRule = (ctx) => {
  const t = attrTensor(ctx.node, 'value');
  if (t) return [{ shape: t.dims, dtype: t.dtype, values: t.values }];
  const a = ctx.node.attributes;
  if (a.value_int) return [{ shape: [], dtype: 'int64', values: [attrInt(ctx.node, 'value_int', 0)] }];
  if (a.value_float) return [{ shape: [], dtype: 'float32', values: [attrFloat(ctx.node, 'value_float', 0)] }];
  const ints = attrInts(ctx.node, 'value_ints');
  if (ints) return [{ shape: [ints.length], dtype: 'int64', values: ints }];
  const floats = attrFloats(ctx.node, 'value_floats');
  if (floats) return [{ shape: [floats.length], dtype: 'float32', values: floats }];
  return null;
};

const constantOfShape: ShapeRule = (ctx) => {
  const shape = ctx.input(0).values;
  if (!shape) return null;
  const t = attrTensor(ctx.node, 'value');
  const fill = t?.values?.[0] ?? 0;
  const count = numel(shape);
  return [{ shape, dtype: t?.dtype ?? 'float32', values: count <= MAX_INLINE_VALUES ? new Array<number>(count).fill(fill) : null }];
};

const range: ShapeRule = (ctx) => {
  const [start, limit, delta] = [0, 1, 2].map((i) => ctx.input(i).values?.[0]);
  if (start === undefined || limit === undefined || delta === undefined || delta === 0) return null;
  const n = Math.max(Math.ceil((limit - start) / delta), 0);
  return [{ shape: [n], values: n <= MAX_INLINE_VALUES ? Array.from({ length: n }, (_, i) => start + i * delta) : null }];
};

export const SHAPE_VALUE_RULES: Record<string, ShapeRule> = {
  Shape: shapeOp,
  Size: size,
  Gather: gather,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Range: range,
};
