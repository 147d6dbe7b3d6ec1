/** Shape rules for convolutions and pooling (NCHW, any number of spatial dims). */
import { attrInt, attrInts, attrString } from '../node-attributes.js';
import type { OnnxNode } from '../onnx-model.js';
import type { RuleResult, ShapeRule } from './rule-types.js';

export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** begin pads then end pads, as ONNX lists them. */
  pads: number[];
  autoPad: string;
}

export function windowOf(node: OnnxNode, spatialRank: number, kernel: number[]): Window | null {
  const ones = new Array<number>(spatialRank).fill(1);
  const strides = attrInts(node, 'strides') ?? ones;
  const dilations = attrInts(node, 'dilations') ?? ones;
  const pads = attrInts(node, 'pads') ?? new Array<number>(2 * spatialRank).fill(0);
  if (kernel.length !== spatialRank || strides.length !== spatialRank || dilations.length !== spatialRank) return null;
  if (pads.length !== 2 * spatialRank) return null;
  return { kernel, strides, dilations, pads, autoPad: attrString(node, 'auto_pad', 'NOTSET') };
}

/**
 * Output size of a sliding window along each spatial axis (Conv and the pools).
 * NOTSET: floor((in + pad_begin + pad_end - ((k - 1) * d + 1)) / s) + 1, or with ceil_mode the ceiling, less one
 * when the last window would start inside the end padding (onnxruntime's and PyTorch's rule).
 * SAME_UPPER / SAME_LOWER: ceil(in / s). VALID: floor((in - ((k - 1) * d + 1)) / s) + 1.
 */
export function slidingWindowOut(input: number[], w: Window, ceilMode = false): number[] | null {
  const out: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const effK = (w.kernel[i] - 1) * w.dilations[i] + 1;
    const s = w.strides[i];
    let o: number;
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
      o = Math.ceil(input[i] / s);
    } else if (w.autoPad === 'VALID') {
      o = Math.floor((input[i] - effK) / s) + 1;
    } else {
      const padBegin = w.pads[i];
      const span = input[i] + padBegin + w.pads[i + input.length] - effK;
      o = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
      if (ceilMode && (o - 1) * s >= input[i] + padBegin) o -= 1;
    }
    if (!(o >= 1) || s < 1) return null;
    out.push(o);
  }
  return out;
}

/** Conv and ConvInteger (x = input 0, w = input 1) and QLinearConv (x = input 0, w = input 3). */
function convRule(wIndex: number): ShapeRule {
  return (ctx) => {
    const x = ctx.input(0).shape;
    const w = ctx.input(wIndex).shape;
    if (!x || !w || x.length < 3 || w.length !== x.length) return null;
    const kernel = attrInts(ctx.node, 'kernel_shape') ?? w.slice(2);
    const win = windowOf(ctx.node, x.length - 2, kernel);
    if (!win) return null;
    const spatial = slidingWindowOut(x.slice(2), win);
    return spatial ? [{ shape: [x[0], w[0], ...spatial] }] : null;
  };
}

/**
 * ConvTranspose: W is [C_in, C_out / group, k...]. With output_shape given, that is the spatial size;
 * otherwise s * (in - 1) + output_padding + ((k - 1) * d + 1) - pad_begin - pad_end, and in * s for SAME_*.
 */
const convTranspose: ShapeRule = (ctx) => {
  const x = ctx.input(0).shape;
  const w = ctx.input(1).shape;
  if (!x || !w || x.length < 3 || w.length !== x.length) return null;
  const n = x.length - 2;
  const outChannels = w[1] * attrInt(ctx.node, 'group', 1);
  const outputShape = attrInts(ctx.node, 'output_shape');
  if (outputShape) return [{ shape: [x[0], outChannels, ...outputShape.slice(-n)] }];
  const win = windowOf(ctx.node, n, attrInts(ctx.node, 'kernel_shape') ?? w.slice(2));
  if (!win) return null;
  const outPad = attrInts(ctx.node, 'output_padding') ?? new Array<number>(n).fill(0);
  const spatial = x.slice(2).map((size, i) => {
    if (win.autoPad === 'SAME_UPPER' || win.autoPad === 'SAME_LOWER') return size * win.strides[i];
    const pads = win.autoPad === 'VALID' ? 0 : win.pads[i] + win.pads[i + n];
    return win.strides[i] * (size - 1) + (outPad[i] ?? 0) + (win.kernel[i] - 1) * win.dilations[i] + 1 - pads;
  });
  return spatial.every((d) => d >= 1) ? [{ shape: [x[0], outChannels, ...spatial] }] : null;
};

/** MaxPool (and its optional Indices output), AveragePool, LpPool. */
const pool: ShapeRule = (ctx) => {
  const x = ctx.input(0).shape;
  const kernel = attrInts(ctx.node, 'kernel_shape');
  if (!x || x.length < 3 || !kernel) return null;
  const win = windowOf(ctx.node, x.length - 2, kernel);
  if (!win) return null;
  const spatial = slidingWindowOut(x.slice(2), win, attrInt(ctx.node, 'ceil_mode', 0) === 1);
  if (!spatial) return null;
  const shape = [x[0], x[1], ...spatial];
  return ctx.node.outputs.map((_, i) => (i === 0 ? { shape } : { shape, dtype: 'int64' }));
};

const globalPool: ShapeRule = (ctx): RuleResult | null => {
  const x = ctx.input(0).shape;
  if (!x || x.length < 3) return null;
  return [{ shape: [x[0], x[1], ...x.slice(2).map(() => 1)] }];
};

export const CONV_POOL_RULES: Record<string, ShapeRule> = {
  Conv: convRule(1),
  ConvInteger: convRule(1),
  QLinearConv: convRule(3),
  ConvTranspose: convTranspose,
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
};
