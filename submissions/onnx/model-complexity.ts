/**
 * How big a decoded model's graph structure is: its nodes, counted in every graph it holds (the main graph,
 * subgraphs in node attributes at any depth, model-local functions, training info), and how deep subgraphs
 * nest. The intake refuses models over limits no real vision model comes near (LPCV_E_MODEL_TOO_COMPLEX),
 * so that one upload cannot make the checks that follow (shape inference, cost counting) take minutes.
 */
import type { RawGraph, RawModel, RawNode } from './onnx-schema.js';

/** Nodes in all graphs of one model. The largest vision models in public zoos have some tens of thousands. */
export const MAX_MODEL_NODES = 200_000;
/**
 * Subgraphs inside subgraphs (a Loop's body holding an If's branches is depth 2). The protobuf decoders
 * (protobufjs here, protoc's in onnxruntime) stop at 100 nested messages, about 32 levels of subgraphs; real
 * control flow nests a few levels.
 */
export const MAX_SUBGRAPH_DEPTH = 16;

export interface ModelComplexity {
  nodes: number;
  /** 0 when no node attribute holds a graph. */
  depth: number;
}

interface RawFunction {
  node?: RawNode[];
}

export function modelComplexity(raw: RawModel): ModelComplexity {
  let nodes = 0;
  let depth = 0;
  const visitNodes = (list: readonly RawNode[] | undefined, level: number): void => {
    for (const node of list ?? []) {
      nodes++;
      for (const a of node.attribute ?? []) {
        for (const g of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) visitGraph(g, level + 1);
      }
    }
  };
  const visitGraph = (g: RawGraph, level: number): void => {
    depth = Math.max(depth, level);
    visitNodes(g.node, level);
  };
  const extra = raw as RawModel & { functions?: RawFunction[]; trainingInfo?: { initialization?: RawGraph; algorithm?: RawGraph }[] };
  if (raw.graph) visitGraph(raw.graph, 0);
  for (const f of extra.functions ?? []) visitNodes(f.node, 0);
  for (const t of extra.trainingInfo ?? []) {
    if (t.initialization) visitGraph(t.initialization, 0);
    if (t.algorithm) visitGraph(t.algorithm, 0);
  }
  return { nodes, depth };
}
