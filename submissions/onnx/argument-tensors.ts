/**
 * Which constant tensors are operator arguments (shapes, axes, indices, pads, scales, clip bounds) rather than
 * weights, so that the parameter count leaves them out.
 */
import type { OnnxGraph } from './onnx-model.js';

/** Input positions that take an argument, not data, per op type. */
const ARGUMENT_SLOTS: Record<string, readonly number[]> = {
  Reshape: [1],
  Expand: [1],
  Tile: [1],
  Slice: [1, 2, 3, 4],
  Pad: [1, 2, 3],
  Unsqueeze: [1],
  Squeeze: [1],
  Split: [1],
  TopK: [1],
  Gather: [1],
  GatherElements: [1],
  Resize: [1, 2, 3],
  Upsample: [1],
  ConstantOfShape: [0],
  Range: [0, 1, 2],
  OneHot: [1],
  CumSum: [1],
  Clip: [1, 2],
  Shape: [0],
  Size: [0],
  ReduceMean: [1],
  ReduceSum: [1],
  ReduceMax: [1],
  ReduceMin: [1],
  ReduceProd: [1],
  ReduceL1: [1],
  ReduceL2: [1],
  ReduceLogSum: [1],
  ReduceLogSumExp: [1],
  ReduceSumSquare: [1],
};

export function isArgumentSlot(opType: string, slot: number): boolean {
  return ARGUMENT_SLOTS[opType]?.includes(slot) ?? false;
}

/**
 * Names of the tensors whose every use is, directly or through other argument-only computations (Concat of
 * a shape vector, Cast of an axes list), an argument slot. A tensor nobody uses, or a graph output, is not
 * argument-only.
 */
export function argumentOnlyTensors(graph: OnnxGraph): Set<string> {
  const consumers = new Map<string, { outputs: string[]; argument: boolean }[]>();
  for (const node of graph.nodes) {
    node.inputs.forEach((name, slot) => {
      if (!name) return;
      const list = consumers.get(name) ?? [];
      list.push({ outputs: node.outputs.filter(Boolean), argument: isArgumentSlot(node.opType, slot) });
      consumers.set(name, list);
    });
  }
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const result = new Set<string>();
  const decide = (name: string): void => {
    const uses = consumers.get(name);
    if (!uses || graphOutputs.has(name)) return;
    if (uses.every((u) => u.argument || (u.outputs.length > 0 && u.outputs.every((o) => result.has(o))))) result.add(name);
  };
  // Nodes are in topological order, so walking them backwards decides every consumer's outputs first.
  for (let i = graph.nodes.length - 1; i >= 0; i--) for (const out of graph.nodes[i].outputs) if (out) decide(out);
  for (const t of graph.initializers) decide(t.name);
  for (const input of graph.inputs) decide(input.name);
  return result;
}
