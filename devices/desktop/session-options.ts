import type ort from 'onnxruntime-node';

/**
 * The session options of every onnxruntime session the desktop target makes (the timed trials' worker and the
 * profiler's): intra-op threads from the track, one inter-op thread, sequential execution, all graph
 * optimisations, the CPU (docs/protocol.md, section 3). One definition, so the profile times the graph the trials ran.
 */
export function sessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', executionProviders: ['cpu'] };
}
