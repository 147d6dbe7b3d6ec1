/** Every operator (default ONNX domain) the shape inference knows, by op type. */
import { CONV_POOL_RULES } from './conv-pool.js';
import { ELEMENTWISE_RULES } from './elementwise.js';
import { LINEAR_RULES } from './linear.js';
import { REDUCE_RESIZE_RULES } from './reduce-resize.js';
import type { ShapeRule } from './rule-types.js';
import { SHAPE_VALUE_RULES } from './shape-values.js';
import { TENSOR_LAYOUT_RULES } from './tensor-layout.js';

export const SHAPE_RULES: Readonly<Record<string, ShapeRule>> = Object.freeze({
  ...ELEMENTWISE_RULES,
  ...CONV_POOL_RULES,
  ...LINEAR_RULES,
  ...TENSOR_LAYOUT_RULES,
  ...SHAPE_VALUE_RULES,
  ...REDUCE_RESIZE_RULES,
});
