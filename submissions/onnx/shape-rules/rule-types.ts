/** What a shape rule sees of one node, and what it returns. */
import type { OnnxNode } from '../onnx-model.js';

/** A tensor as the inference knows it: a concrete shape (or null), its type, and its elements if small and known. */
export interface KnownTensor {
  shape: number[] | null;
  dtype: string | null;
  /** Elements of small constant tensors (shapes, axes, indices), flattened row-major; null when not known. */
  values: number[] | null;
}

export interface RuleContext {
  node: OnnxNode;
  /** The model's opset for the default ONNX domain. */
  opset: number;
  /** The node's input i; an all-null tensor for an omitted optional input or one beyond the list. */
  input(i: number): KnownTensor;
  /** Whether input i is given (not omitted with ''). */
  hasInput(i: number): boolean;
}

/** The node's outputs in order; fields left out default to null (dtype: the first input's dtype). */
export type RuleResult = Partial<KnownTensor>[];

/** Returns the outputs' shapes, or null when they cannot be inferred (the outputs become unknown). */
export type ShapeRule = (ctx: RuleContext) => RuleResult | null;

export const UNKNOWN: KnownTensor = Object.freeze({ shape: null, dtype: null, values: null }) as KnownTensor;

/** Product of a shape's dims (1 for a scalar). */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Normalises a possibly negative axis against a rank; null when out of range. */
export function normAxis(axis: number, rank: number): number | null {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : null;
}
