/** Shape rules for operators that move elements around: reshape, transpose, concat, slice, pad and friends. */
import { attrInt, attrInts } from '../node-attributes.js';
import { broadcastShapes } from './elementwise.js';
import { normAxis, numel, type RuleContext, type ShapeRule } from './rule-types.js';

/**
 * An integer argument that older opsets give as an attribute and newer ones as an input (Reshape's shape,
 * Unsqueeze's axes, Pad's pads, Slice's starts...): the attribute if present, else the input's known values.
 */
export function intsArgument(ctx: RuleContext, attribute: string, inputIndex: number): number[] | null {
  const fromAttr = attrInts(ctx.node, attribute);
  if (fromAttr) return fromAttr;
  return ctx.hasInput(inputIndex) ? ctx.input(inputIndex).values : null;
}

/** Reshape's target: 0 copies the input dim at that index (unless allowzero), -1 takes what is left. */
export function reshapeTarget(data: readonly number[], target: readonly number[], allowZero: boolean): number[] | null {
  const out = target.map((d, i) => (d === 0 && !allowZero ? data[i] : d));
  if (out.some((d) => d === undefined || d < -1)) return null;
  const inferred = out.filter((d) => d === -1).length;
  const total = numel(data);
  if (inferred > 1) return null;
  if (inferred === 1) {
    const known = numel(out.filter((d) => d !== -1));
    if (known === 0 || total % known !== 0) return null;
    out[out.indexOf(-1)] = total / known;
  }
  return numel(out) === total ? out : null;
}

const reshape: ShapeRule = (ctx) => {
  const data = ctx.input(0);
  const target = intsArgument(ctx, 'shape', 1);
  if (!data.shape || !target) return null;
  const shape = reshapeTarget(data.shape, target, attrInt(ctx.node, 'allowzero', 0) === 1);
  return shape ? [{ shape, values: data.values }] : null;
};

const flatten: ShapeRule = (ctx) => {
  const x = ctx.input(0).shape;
  if (!x) return null;
  let axis = attrInt(ctx.node, 'axis', 1);
  if (axis < 0) axis += x.length;
  if (axis < 0 || axis > x.length) return null;
  return [{ shape: [numel(x.slice(0, axis)), numel(x.slice(axis))] }];
};

const transpose: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  if (!x.shape) return null;
  const rank = x.shape.length;
  const perm = attrInts(ctx.node, 'perm') ?? x.shape.map((_, i) => rank - 1 - i);
  if (perm.length !== rank || perm.some((p) => normAxis(p, rank) === null)) return null;
  const shape = perm.map((p) => (x.shape as number[])[normAxis(p, rank) as number]);
  return [{ shape, values: rank <= 1 ? x.values : null }];
};

const concat: ShapeRule = (ctx) => {
  const inputs = ctx.node.inputs.map((_, i) => ctx.input(i));
  const first = inputs[0]?.shape;
  if (!first || inputs.some((t) => !t.shape || t.shape.length !== first.length)) return null;
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), first.length);
  if (axis === null) return null;
  const shape = [...first];
  shape[axis] = inputs.reduce((sum, t) => sum + (t.shape as number[])[axis], 0);
  const values = first.length === 1 && inputs.every((t) => t.values) ? inputs.flatMap((t) => t.values as number[]) : null;
  return [{ shape, values }];
};

/** Pad: pads lists the begin pads of each axis, then the end pads (of `axes` only, from opset 18). */
const pad: ShapeRule = (ctx) => {
  const x = ctx.input(0).shape;
  const pads = intsArgument(ctx, 'pads', 1);
  if (!x || !pads) return null;
  const rank = x.length;
  const axes = (ctx.hasInput(3) ? ctx.input(3).values : x.map((_, i) => i))?.map((a) => normAxis(a, rank));
  if (!axes || axes.some((a) => a === null) || pads.length !== 2 * axes.length) return null;
  const shape = [...x];
  axes.forEach((a, i) => {
    shape[a as number] += pads[i] + pads[i + axes.length];
  });
  return shape.every((d) => d >= 0) ? [{ shape }] : null;
};

const squeeze: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  if (!x.shape) return null;
  const rank = x.shape.length;
  const hasAxes = ctx.node.attributes.axes !== undefined || ctx.hasInput(1);
  const given = hasAxes ? intsArgument(ctx, 'axes', 1) : null;
  if (hasAxes && !given) return null;
  const axes = given ? given.map((a) => normAxis(a, rank)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  if (axes.some((a) => a === null || (x.shape as number[])[a] !== 1)) return null;
  return [{ shape: x.shape.filter((_, i) => !axes.includes(i)), values: x.values }];
};

const unsqueeze: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const given = intsArgument(ctx, 'axes', 1);
  if (!x.shape || !given) return null;
  const rank = x.shape.length + given.length;
  const axes = given.map((a) => normAxis(a, rank));
  if (axes.some((a) => a === null) || new Set(axes).size !== axes.length) return null;
  const shape: number[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) shape.push(axes.includes(i) ? 1 : x.shape[next++]);
  return [{ shape, values: x.values }];
};

const expand: ShapeRule = (ctx) => {
  const x = ctx.input(0).shape;
  const target = ctx.input(1).values;
  const shape = x && target ? broadcastShapes([x, target]) : null;
  return shape ? [{ shape }] : null;
};

const tile: ShapeRule = (ctx) => {
  const x = ctx.input(0).shape;
  const repeats = ctx.input(1).values;
  if (!x || !repeats || repeats.length !== x.length) return null;
  return [{ shape: x.map((d, i) => d * repeats[i]) }];
};

/** Split: explicit sizes, or equal parts (the last one smaller when the axis does not divide evenly). */
const split: ShapeRule = (ctx) => {
  const x = ctx.input(0).shape;
  if (!x) return null;
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), x.length);
  if (axis === null) return null;
  const parts = ctx.node.outputs.length;
  let sizes = attrInts(ctx.node, 'split') ?? (ctx.hasInput(1) ? ctx.input(1).values : null);
  if (!sizes) {
    if (ctx.hasInput(1)) return null;
    const chunk = Math.ceil(x[axis] / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(chunk, x[axis] - i * chunk)));
  }
  if (sizes.length !== parts) return null;
  return sizes.map((s) => ({ shape: x.map((d, i) => (i === axis ? s : d)) }));
};

/** Elements a slice keeps along one axis of size `dim` (negative starts and ends count from the end, then clamp). */
export function sliceCount(dim: number, start: number, end: number, step: number): number {
  const norm = (v: number): number => (v < 0 ? v + dim : v);
  if (step > 0) {
    const s = Math.min(Math.max(norm(start), 0), dim);
    const e = Math.min(Math.max(norm(end), 0), dim);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  const s = Math.min(Math.max(norm(start), 0), dim - 1);
  const e = Math.min(Math.max(norm(end), -1), dim - 1);
  return Math.max(0, Math.ceil((s - e) / -step));
}

const slice: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const starts = intsArgument(ctx, 'starts', 1);
  const ends = intsArgument(ctx, 'ends', 2);
  if (!x.shape || !starts || !ends || starts.length !== ends.length) return null;
  const rank = x.shape.length;
  const axes = (ctx.node.attributes.axes || ctx.hasInput(3) ? intsArgument(ctx, 'axes', 3) : starts.map((_, i) => i))?.map((a) => normAxis(a, rank));
  const steps = ctx.hasInput(4) ? ctx.input(4).values : starts.map(() => 1);
  if (!axes || !steps || axes.length !== starts.length || axes.some((a) => a === null) || steps.some((s) => s === 0)) return null;
  const shape = [...x.shape];
  axes.forEach((a, i) => {
    shape[a as number] = sliceCount((x.shape as number[])[a as number], starts[i], ends[i], steps[i]);
  });
  let values: number[] | null = null;
  if (rank === 1 && x.values && axes.length === 1) {
    values = [];
    const dim = x.shape[0];
    const start = starts[0] < 0 ? starts[0] + dim : starts[0];
    const first = steps[0] > 0 ? Math.min(Math.max(start, 0), dim) : Math.min(Math.max(start, 0), dim - 1);
    for (let i = 0, j = first; i < shape[0]; i++, j += steps[0]) values.push(x.values[j]);
  }
  return [{ shape, values }];
};

const depthToSpace: ShapeRule = (ctx) => {
  const x = ctx.input(0).shape;
  const b = attrInt(ctx.node, 'blocksize', 0);
  if (!x || x.length !== 4 || b < 1 || x[1] % (b * b) !== 0) return null;
  return [{ shape: [x[0], x[1] / (b * b), x[2] * b, x[3] * b] }];
};

const spaceToDepth: ShapeRule = (ctx) => {
  const x = ctx.input(0).shape;
  const b = attrInt(ctx.node, 'blocksize', 0);
  if (!x || x.length !== 4 || b < 1 || x[2] % b !== 0 || x[3] % b !== 0) return null;
  return [{ shape: [x[0], x[1] * b * b, x[2] / b, x[3] / b] }];
};

export const TENSOR_LAYOUT_RULES: Record<string, ShapeRule> = {
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Concat: concat,
  Pad: pad,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Expand: expand,
  Tile: tile,
  Split: split,
  Slice: slice,
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
};
