/**
 * Parameters, MACs and HarDNet's memory-traffic measures (CIO, MoC) of an ONNX model, per layer and in total.
 *
 * - params: elements of the model's constant tensors (initializers and Constant nodes) that are weights,
 *   counted once each; tensors used only as operator arguments (Reshape shapes, axes, indices, pads, Resize
 *   scales, Clip bounds; see argument-tensors.ts) and unused tensors are not counted.
 * - MACs: Conv = N x C_out x H_out x W_out x (C_in / group) x kh x kw; ConvTranspose = N x C_in x H_in x W_in x
 *   (C_out / group) x kh x kw; Gemm and MatMul = (batch dims) x M x K x N. Nothing else counts: bias adds,
 *   batch normalisation, activations, pooling, element-wise ops and Softmax are 0 MACs.
 * - CIO (Chao et al., "HarDNet", ICCV 2019): for each convolution layer (Conv, ConvTranspose, ConvInteger,
 *   QLinearConv) the element count of its input feature map plus that of its output feature map (N x c x h x
 *   w each; weights not included), summed over those layers. Gemm / MatMul are not convolution layers and
 *   are left out unless `cioScope: 'conv+linear'` is asked for; `cioScope` in the result says which.
 * - MoC = MACs / CIO per counted layer; the model's MoC is the MACs of the CIO-counted layers over the total
 *   CIO (so a classifier's FC layer does not inflate a conv-only CIO's ratio); null when CIO is 0.
 *
 * Costs are for `batch` images (default 1): symbolic input dims are replaced as shape-inference.ts says.
 */
import { argumentOnlyTensors, isArgumentSlot } from './argument-tensors.js';
import { attrTensor } from './node-attributes.js';
import type { OnnxModel, OnnxNode } from './onnx-model.js';
import { inferShapes, type ShapeInferenceOptions } from './shape-inference.js';
import { gemmDims, matmulDims } from './shape-rules/linear.js';
import { numel } from './shape-rules/rule-types.js';

export type CioScope = 'conv' | 'conv+linear';

export interface ModelCostOptions extends ShapeInferenceOptions {
  /** Which layers CIO counts: 'conv' (HarDNet's definition, the default) or 'conv+linear' (also Gemm and MatMul). */
  cioScope?: CioScope;
}

export interface LayerCost {
  /** The node's name, or `<op>_<index>` when the model leaves it empty. */
  name: string;
  op: string;
  /** Shape of the node's first input / first output; null when unknown. */
  inputShape: number[] | null;
  outputShape: number[] | null;
  params: number;
  macs: number;
  /** null for layers CIO does not count, and for counted layers whose shapes are unknown. */
  cio: number | null;
  moc: number | null;
}

export interface ModelCost {
  params: number;
  macs: number;
  cio: number;
  moc: number | null;
  /** Which layers CIO and MoC count. */
  cioScope: CioScope;
  /** One sentence saying what CIO counts, for reports. */
  cioDefinition: string;
  /** Images per inference the costs are for. */
  batch: number;
  layers: LayerCost[];
  /** Op types the shape inference does not know; costs downstream of them may be missing. */
  unknownOps: string[];
  /** Layers with MACs or CIO that could not be computed because a shape is unknown; the totals lack them. */
  uncountedLayers: string[];
}

const CONV_WEIGHT_INPUT: Record<string, number> = { Conv: 1, ConvInteger: 1, QLinearConv: 3, ConvTranspose: 1 };
const MATMUL_B_INPUT: Record<string, number> = { MatMul: 1, MatMulInteger: 1, QLinearMatMul: 3 };

export const CIO_DEFINITIONS: Record<CioScope, string> = {
  conv: 'CIO (HarDNet, Chao et al. 2019): the sum over convolution layers of input plus output feature-map elements (c*h*w per image); Gemm/MatMul not counted; MoC = conv MACs / CIO',
  'conv+linear':
    'CIO (HarDNet, Chao et al. 2019, extended): the sum over convolution, Gemm and MatMul layers of input plus output tensor elements; MoC = their MACs / CIO',
};

function isCioLayer(op: string, scope: CioScope): boolean {
  return op in CONV_WEIGHT_INPUT || (scope === 'conv+linear' && (op === 'Gemm' || op in MATMUL_B_INPUT));
}

export function modelCost(model: OnnxModel, opts: ModelCostOptions = {}): ModelCost {
  const batch = opts.batch ?? 1;
  const scope = opts.cioScope ?? 'conv';
  const { graph } = model;
  const inferred = inferShapes(model, { ...opts, batch });
  const shapeOf = (name: string | undefined): number[] | null => (name ? (inferred.tensors.get(name)?.shape ?? null) : null);

  // Weight tensors: initializers and Constant-node values that something uses, other than as an argument.
  const argumentOnly = argumentOnlyTensors(graph);
  const used = new Set([...graph.nodes.flatMap((n) => n.inputs), ...graph.outputs.map((o) => o.name)]);
  const isWeight = (name: string | undefined): name is string => name !== undefined && name !== '' && used.has(name) && !argumentOnly.has(name);
  const weights = new Map<string, number>();
  for (const t of graph.initializers) if (isWeight(t.name)) weights.set(t.name, numel(t.dims));
  for (const node of graph.nodes) {
    const value = node.opType === 'Constant' ? attrTensor(node, 'value') : undefined;
    if (value && isWeight(node.outputs[0])) weights.set(node.outputs[0], numel(value.dims));
  }

  const layers: LayerCost[] = [];
  const uncounted: string[] = [];
  let cioMacs = 0;
  graph.nodes.forEach((node, index) => {
    const name = node.name || `${node.opType}_${index}`;
    const layerWeights = new Set(node.inputs.filter((n, slot) => weights.has(n) && !isArgumentSlot(node.opType, slot)));
    const params = [...layerWeights].reduce((sum, n) => sum + (weights.get(n) as number), 0);
    const inputShape = shapeOf(node.inputs[0]);
    const outputShape = shapeOf(node.outputs[0]);
    const macs = layerMacs(node, shapeOf);
    let cio: number | null = null;
    if (isCioLayer(node.opType, scope)) cio = inputShape && outputShape ? numel(inputShape) + numel(outputShape) : null;
    if (macs === null || (isCioLayer(node.opType, scope) && cio === null)) uncounted.push(name);
    if (cio !== null) cioMacs += macs ?? 0;
    const moc = cio ? (macs ?? 0) / cio : null;
    layers.push({ name, op: node.opType, inputShape, outputShape, params, macs: macs ?? 0, cio, moc });
  });

  const cio = layers.reduce((sum, l) => sum + (l.cio ?? 0), 0);
  return {
    params: [...weights.values()].reduce((a, b) => a + b, 0),
    macs: layers.reduce((sum, l) => sum + l.macs, 0),
    cio,
    moc: cio > 0 ? cioMacs / cio : null,
    cioScope: scope,
    cioDefinition: CIO_DEFINITIONS[scope],
    batch,
    layers,
    unknownOps: inferred.unknownOps,
    uncountedLayers: uncounted,
  };
}

/** MACs of one node; 0 for ops that do no multiply-accumulate work, null when they do but a shape is unknown. */
function layerMacs(node: OnnxNode, shapeOf: (name: string | undefined) => number[] | null): number | null {
  const op = node.opType;
  if (op in CONV_WEIGHT_INPUT) {
    const w = shapeOf(node.inputs[CONV_WEIGHT_INPUT[op]]);
    // Conv: every output element takes (C_in / group) x kernel MACs, and W is [C_out, C_in / group, k...].
    // ConvTranspose: every input element scatters into (C_out / group) x kernel outputs, W is [C_in, C_out / group, k...].
    const per = op === 'ConvTranspose' ? shapeOf(node.inputs[0]) : shapeOf(node.outputs[0]);
    return w && per && w.length >= 2 ? numel(per) * numel(w.slice(1)) : null;
  }
  if (op === 'Gemm' || op in MATMUL_B_INPUT) {
    const a = shapeOf(node.inputs[0]);
    const b = shapeOf(node.inputs[op === 'Gemm' ? 1 : MATMUL_B_INPUT[op]]);
    const dims = a && b ? (op === 'Gemm' ? gemmDims(node, a, b) : matmulDims(a, b)) : null;
    return dims ? dims.batch * dims.m * dims.k * dims.n : null;
  }
  return 0;
}
