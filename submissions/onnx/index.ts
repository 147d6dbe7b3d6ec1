/** The ONNX side of submissions: read a model, list its inputs and outputs, infer shapes, count its costs. */
export { readOnnxModel } from './read-onnx-model.js';
export { graphInputs, graphOutputs } from './graph-io.js';
export type { GraphTensor } from './graph-io.js';
export { inferShapes } from './shape-inference.js';
export type { InferredShapes, KnownTensor, ShapeInferenceOptions } from './shape-inference.js';
export { modelCost, CIO_DEFINITIONS } from './model-cost.js';
export type { CioScope, LayerCost, ModelCost, ModelCostOptions } from './model-cost.js';
export type { OnnxAttribute, OnnxDim, OnnxGraph, OnnxModel, OnnxNode, OnnxTensorInfo, OnnxValueInfo } from './onnx-model.js';
