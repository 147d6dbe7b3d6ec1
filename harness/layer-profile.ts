/**
 * A measured per-layer profile (docs/protocol.md, "Per-layer profile"): onnxruntime's own profiler, run on
 * the desktop target after the timed trials (never inside them), with each node's time per run, beside the
 * node's MACs and HarDNet's CIO as `lpcv inspect` computes them for the same node.
 */
export interface LayerProfile {
  /** Profiled runs (each over one input of the latency pool). */
  runs: number;
  /** Sum over nodes of their time per run, ms. */
  totalMs: number;
  /** The nodes by measured time, most first (at most 25). */
  nodes: {
    name: string;
    op: string;
    /** Time per run, ms: the mean of the middle half of its per-run times (a run descheduled mid-kernel does not move it). */
    ms: number;
    /** ms / totalMs. */
    share: number;
    /** From the model's graph (null where the cost model does not cover the op). */
    macs: number | null;
    cio: number | null;
  }[];
}
