/**
 * Concrete tensor shapes through an ONNX graph, for the cost model and for checks on a model's outputs.
 *
 * Symbolic dims: every symbolic (dim_param) or unknown dim of a graph input becomes `batch` (default 1), and
 * the same dim_param elsewhere in the model (outputs, value_info) means the same number. The harness scores
 * one image at a time, so costs are per image; a model with symbolic spatial dims ([batch, 3, H, W]) should
 * be given the track's input size through `inputShapes`, or its costs describe a 1x1 image.
 *
 * Each operator has a rule (shape-rules/); an operator with none (or outside the default ONNX domain) is
 * listed in `unknownOps` and its outputs are unknown unless the model's value_info declares them, and so is
 * everything computed from them. Nothing here throws on a strange graph: unknown is an answer.
 */
import type { OnnxDim, OnnxModel, OnnxNode } from './onnx-model.js';
import { SHAPE_RULES } from './shape-rules/registry.js';
import { UNKNOWN, type KnownTensor, type RuleContext, type RuleResult } from './shape-rules/rule-types.js';

export type { KnownTensor } from './shape-rules/rule-types.js';

export interface ShapeInferenceOptions {
  /** Substituted for every symbolic or unknown dim of the graph inputs (default 1). */
  batch?: number;
  /** Concrete shapes for named graph inputs, taking precedence over their declarations (e.g. the track's input size). */
  inputShapes?: Record<string, number[]>;
}

export interface InferredShapes {
  /** Every tensor the graph names (inputs, initializers, node outputs); shape null when unknown. */
  tensors: Map<string, KnownTensor>;
  /** The concrete shape assumed for each graph input (initializers excluded); null when its rank is unknown. */
  inputShapes: Record<string, number[] | null>;
  /** Op types with no shape rule, in order of first appearance ('domain:Op' outside the default domain). */
  unknownOps: string[];
}

/** Latest default-domain opset this code knows; assumed when a model imports none. */
const DEFAULT_OPSET = 21;

function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

function validShape(shape: number[] | null | undefined): number[] | null {
  return shape && shape.every((d) => Number.isInteger(d) && d >= 0) ? shape : null;
}

export function inferShapes(model: OnnxModel, opts: ShapeInferenceOptions = {}): InferredShapes {
  const batch = opts.batch ?? 1;
  const { graph } = model;
  const opset = model.opsetImports.find((o) => isDefaultDomain(o.domain))?.version ?? DEFAULT_OPSET;
  const tensors = new Map<string, KnownTensor>();
  const symbols = new Map<string, number>();
  const inputShapes: Record<string, number[] | null> = {};
  const initializerNames = new Set(graph.initializers.map((t) => t.name));

  for (const input of graph.inputs) {
    if (initializerNames.has(input.name)) continue;
    const given = opts.inputShapes?.[input.name];
    let shape: number[] | null = null;
    if (given) {
      shape = [...given];
      input.shape?.forEach((d, i) => {
        if (typeof d === 'string' && given[i] !== undefined && !symbols.has(d)) symbols.set(d, given[i]);
      });
    } else if (input.shape) {
      shape = input.shape.map((d) => {
        if (typeof d === 'number') return d;
        if (typeof d === 'string' && !symbols.has(d)) symbols.set(d, batch);
        return typeof d === 'string' ? (symbols.get(d) as number) : batch;
      });
    }
    inputShapes[input.name] = shape;
    tensors.set(input.name, { shape, dtype: input.dtype, values: null });
  }
  for (const t of graph.initializers) tensors.set(t.name, { shape: t.dims, dtype: t.dtype, values: t.values });

  // Shapes the exporter declared, resolved with the same symbols, for outputs no rule can infer.
  const declared = new Map<string, OnnxDim[]>();
  for (const v of [...graph.valueInfo, ...graph.outputs]) if (v.shape) declared.set(v.name, v.shape);
  const declaredShape = (name: string): number[] | null => {
    const dims = declared.get(name)?.map((d) => (typeof d === 'number' ? d : typeof d === 'string' ? symbols.get(d) : undefined));
    return dims && dims.every((d) => d !== undefined) ? (dims as number[]) : null;
  };

  const unknownOps: string[] = [];
  for (const node of graph.nodes) {
    const rule = isDefaultDomain(node.domain) ? SHAPE_RULES[node.opType] : undefined;
    const ctx = contextFor(node, opset, tensors);
    let result: RuleResult | null = null;
    if (!rule) {
      const label = isDefaultDomain(node.domain) ? node.opType : `${node.domain}:${node.opType}`;
      if (!unknownOps.includes(label)) unknownOps.push(label);
    } else {
      try {
        result = rule(ctx);
      } catch {
        result = null; // a malformed node: its outputs are unknown, like an unknown op's
      }
    }
    node.outputs.forEach((name, i) => {
      if (!name) return;
      const r = result?.[i];
      tensors.set(name, {
        shape: validShape(r?.shape) ?? declaredShape(name),
        dtype: r?.dtype !== undefined ? r.dtype : ctx.input(0).dtype,
        values: r?.values ?? null,
      });
    });
  }
  return { tensors, inputShapes, unknownOps };
}

function contextFor(node: OnnxNode, opset: number, tensors: Map<string, KnownTensor>): RuleContext {
  return {
    node,
    opset,
    input: (i) => (node.inputs[i] ? (tensors.get(node.inputs[i]) ?? UNKNOWN) : UNKNOWN),
    hasInput: (i) => Boolean(node.inputs[i]),
  };
}
