/**
 * For tests (not used by the server): a completion body as an agent sends it, with made-up predictions for the
 * split's ids (image i's top class `topClass(i)`, 0 by default) and three timed runs, so that a test can finish a
 * leased job over the agent API without running a model.
 */
export const FAKE_TARGET = { kind: 'desktop', device: 'test-host', runtime: 'onnxruntime-node', threads: 1, os: 'linux', cpu: 'test cpu' } as const;
export const FAKE_PROTOCOL = { warmupRuns: 1, minRuns: 5, minDurationMs: 0, maxRuns: 5, trials: 1 } as const;

export function fakeCompletion(leaseToken: string, ids: readonly string[], topClass: (i: number) => number = () => 0): Record<string, unknown> {
  return {
    leaseToken,
    measurement: {
      predictions: { kind: 'topk', ids, topk: ids.map((_, i) => [topClass(i), ...[1, 2, 3, 4, 5].filter((c) => c !== topClass(i)).slice(0, 4)]) },
      runtime: 'fake 1.0',
      threads: 1,
      protocol: FAKE_PROTOCOL,
      latencyMs: [1, 2, 3],
      warmupMs: [5],
      preprocessMs: [0.1],
    },
    target: FAKE_TARGET,
    energy: null,
    energyNote: 'no power sensor',
    startedAt: '2027-01-15T08:00:00.000Z',
    finishedAt: '2027-01-15T08:00:05.000Z',
  };
}
