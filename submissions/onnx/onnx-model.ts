/**
 * A plain, typed view of an ONNX ModelProto: the parts the harness reads, with no protobufjs types in it.
 * readOnnxModel() builds it; tests may build it by hand.
 */

/** One dimension of a declared shape: a number when fixed, the dim_param name when symbolic, null when unknown. */
export type OnnxDim = number | string | null;

/** A graph input, output or value_info entry. */
export interface OnnxValueInfo {
  name: string;
  /** 'float32', 'uint8', 'int64', ... for tensors; 'sequence', 'map', 'optional', 'sparse_tensor' or 'unknown' otherwise. */
  dtype: string;
  /** null when the model declares no shape at all (rank unknown); [] for a scalar. */
  shape: OnnxDim[] | null;
}

/** A tensor stored in the model (an initializer or a Constant node's value). Weights themselves are not kept. */
export interface OnnxTensorInfo {
  name: string;
  dims: number[];
  dtype: string;
  /**
   * The elements, for numeric tensors of at most MAX_INLINE_VALUES elements (shape, axes, pads, scales and
   * index arguments); null for larger tensors and for types other than integers, bool and float32/64.
   * int64 values beyond 2^53 lose precision (they never occur as shapes).
   */
  values: number[] | null;
  /** True when the data lives in a separate file (TensorProto.data_location = EXTERNAL). */
  external: boolean;
}

export type OnnxAttribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'strings'; value: string[] }
  | { kind: 'tensor'; value: OnnxTensorInfo }
  /** graphs (If/Loop bodies), sparse tensors, type protos: present but not interpreted. */
  | { kind: 'other' };

export interface OnnxNode {
  /** The node's name; '' when the model leaves it empty. */
  name: string;
  opType: string;
  /** '' for the default ONNX domain ('ai.onnx'). */
  domain: string;
  /** Input tensor names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttribute>;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensorInfo[];
  /** As declared: old exporters list initializers here too (graphInputs() filters them out). */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** Shapes the exporter recorded for intermediate tensors (may be empty). */
  valueInfo: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  /** Operator set per domain; '' is the default ONNX domain. */
  opsetImports: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  graph: OnnxGraph;
}

/** Tensors with at most this many elements keep their values in OnnxTensorInfo.values. */
export const MAX_INLINE_VALUES = 64;
