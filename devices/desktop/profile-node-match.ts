/**
 * Which node of the model's graph each kernel of onnxruntime's profile does the work of.
 *
 * The profile names the nodes of the optimised graph, and onnxruntime's graph optimisations rename what they
 * fuse or rewrite. Seen with onnxruntime-node 1.30 on the CPU at the harness's level ("all"):
 * - a node left alone keeps its name; an unnamed one is `<op>_<index>`, as `lpcv inspect` names it;
 * - Conv + activation becomes a FusedConv that keeps the Conv's name (without NCHWc: ARM, or level "extended");
 *   Gemm + activation a FusedGemm named `fused <Gemm's name>`;
 * - on x86 the NCHWc layout transformer replaces a Conv (with whatever activation, Add or BatchNormalization it
 *   absorbed) or a pooling node by a kernel named `<its output tensor>_nchwc`: the output of the last node it
 *   absorbed (a Relu's output for Conv + Relu), so the kernel leads back from that tensor's producer to the
 *   node of the kernel's op (FOLDED_OPS below);
 * - it inserts ReorderInput / ReorderOutput kernels (layout conversions) that no graph node has;
 * - onnxruntime appends `_token_<n>` to a name it generated that was already taken.
 * A kernel that leads to no node (or to one another kernel took) matches none (null): its time is real, but
 * no MACs or CIO stand beside it. A matched kernel's time includes the nodes fused into it (the Relu of a
 * Conv + Relu), which do not appear on their own; they add no MACs or CIO in `lpcv inspect`'s counting.
 */
import type { OnnxNode } from '../../submissions/onnx/index.js';

/**
 * Nodes onnxruntime folds into the Conv before its NCHWc transformer names the kernel: an activation
 * (FusedConv), a BatchNormalization (ConvBNFusion), an Add or a Mul of a constant (ConvAddFusion,
 * ConvMulFusion). Each has one input that a node computes; the kernel takes the output of the last of them.
 * A residual Add (two computed inputs) is fused later, keeping the Conv's name, so no walk crosses one.
 */
const FOLDED_OPS: ReadonlySet<string> = new Set(['Relu', 'Clip', 'Sigmoid', 'Tanh', 'LeakyRelu', 'HardSigmoid', 'BatchNormalization', 'Add', 'Mul']);
/** Conv -> BatchNormalization -> Add -> Relu is the longest chain seen or expected. */
const MAX_FOLDED = 3;

const withoutToken = (name: string): string => name.replace(/_token_\d+$/, '');

/**
 * For each kernel, the index of the graph node whose work it does, or null. `names` are the graph nodes'
 * names as `lpcv inspect` gives them (index for index with `nodes`). A node is matched by one kernel at
 * most: names that survived first, then `_nchwc` kernels, each leading back from its output tensor.
 */
export function matchKernels(nodes: readonly OnnxNode[], names: readonly string[], kernels: readonly { name: string; op: string }[]): (number | null)[] {
  const byName = new Map(names.map((n, i) => [n, i]));
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o !== '' && producer.set(o, i)));
  const computedInputs = (i: number): number[] =>
    nodes[i]!.inputs.map((t) => producer.get(t)).filter((p): p is number => p !== undefined && nodes[p]!.opType !== 'Constant');

  /** From the producer of a kernel's output back through folded nodes to the node of the kernel's op. */
  const walkBack = (start: number, op: string): number | null => {
    let i = start;
    for (let folded = 0; folded <= MAX_FOLDED; folded++) {
      if (nodes[i]!.opType === op) return i;
      const fed = computedInputs(i);
      if (!FOLDED_OPS.has(nodes[i]!.opType) || fed.length !== 1) return null;
      i = fed[0]!;
    }
    return null;
  };

  const claimed = new Set<number>();
  const match: (number | null)[] = kernels.map(() => null);
  const claim = (k: number, node: number | null | undefined): boolean => {
    if (node === null || node === undefined || claimed.has(node)) return false;
    match[k] = node;
    claimed.add(node);
    return true;
  };
  kernels.forEach((kernel, k) => {
    const base = withoutToken(kernel.name);
    [kernel.name, base, base.replace(/^fused /, '')].some((candidate) => claim(k, byName.get(candidate)));
  });
  kernels.forEach((kernel, k) => {
    const base = withoutToken(kernel.name);
    if (match[k] !== null || !base.endsWith('_nchwc')) return;
    const start = producer.get(base.slice(0, -'_nchwc'.length));
    if (start !== undefined) claim(k, walkBack(start, kernel.op));
  });
  return match;
}
