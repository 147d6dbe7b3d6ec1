/** A model's real inputs and its outputs, as the track checks compare them with the track's contract. */
import type { OnnxDim, OnnxModel, OnnxValueInfo } from './onnx-model.js';

export interface GraphTensor {
  name: string;
  /** 'float32', 'uint8', 'int64', ... (onnxruntime's names); 'sequence', 'map', ... for non-tensors. */
  dtype: string;
  /**
   * A number for a fixed dim, the dim_param string for a symbolic one ('batch'), null for an unknown one.
   * A value the model declares no shape for at all (unknown rank, very rare) comes back as [], like a
   * scalar: either way it is not the image tensor or the score tensor a track expects.
   */
  shape: OnnxDim[];
}

function copy(v: OnnxValueInfo): GraphTensor {
  return { name: v.name, dtype: v.dtype, shape: v.shape ? [...v.shape] : [] };
}

/**
 * The inputs a caller must feed. Initializers are left out: exporters before IR version 4 (and some later
 * ones, e.g. PyTorch with keep_initializers_as_inputs) list every weight as a graph input too.
 */
export function graphInputs(model: OnnxModel): GraphTensor[] {
  const initializers = new Set(model.graph.initializers.map((t) => t.name));
  return model.graph.inputs.filter((v) => !initializers.has(v.name)).map(copy);
}

export function graphOutputs(model: OnnxModel): GraphTensor[] {
  return model.graph.outputs.map(copy);
}
