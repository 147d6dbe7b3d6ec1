import type { Predictions } from '../../harness/measurement.js';
import type { TargetRun } from '../targets/target.js';

/** Predictions as the Agent API carries them: top-k lists, or label maps in base64 (uint16 little-endian). */
export type PredictionsJson =
  | { kind: 'topk'; ids: readonly string[]; topk: number[][] }
  | { kind: 'label-maps'; ids: readonly string[]; maps: { width: number; height: number; bytesPerValue: 1 | 2; data: string }[] };

export function predictionsJson(p: Predictions): PredictionsJson {
  if (p.kind === 'topk') return { kind: 'topk', ids: p.ids, topk: p.topk };
  return {
    kind: 'label-maps',
    ids: p.ids,
    maps: p.maps.map((m) => {
      if (m.data instanceof Uint8Array) return { width: m.width, height: m.height, bytesPerValue: 1 as const, data: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).toString('base64') };
      const buf = Buffer.alloc(m.data.length * 2);
      m.data.forEach((v, i) => buf.writeUInt16LE(v, i * 2));
      return { width: m.width, height: m.height, bytesPerValue: 2 as const, data: buf.toString('base64') };
    }),
  };
}

export interface CompletionArgs {
  readonly leaseToken: string;
  readonly run: TargetRun;
  readonly startedAt: string;
  readonly finishedAt: string;
}

/**
 * The body of POST /api/agent/jobs/:id/complete (docs/api.md): the measurement, the device, and energy as
 * measured (with its power samples) or null with the reason.
 */
export function completionBody(a: CompletionArgs): Record<string, unknown> {
  const { measurement: m, target, energy } = a.run;
  return {
    leaseToken: a.leaseToken,
    measurement: {
      predictions: predictionsJson(m.predictions),
      runtime: m.runtime,
      threads: m.threads,
      protocol: m.protocol,
      latencyMs: m.latencyMs,
      warmupMs: m.warmupMs,
      preprocessMs: m.preprocessMs,
      ...(m.wall ? { wall: m.wall } : {}),
      ...(m.targetReport ? { targetReport: m.targetReport } : {}),
      ...(m.robustness ? { robustness: Object.fromEntries(Object.entries(m.robustness).map(([name, p]) => [name, predictionsJson(p)])) } : {}),
      ...(m.robustnessSkipped ? { robustnessSkipped: m.robustnessSkipped } : {}),
    },
    target,
    energy,
    ...(energy === null ? { energyNote: a.run.energyNote ?? 'the device has no power sensor' } : {}),
    ...(energy !== null && a.run.power ? { power: a.run.power.map((s) => ({ t: s.t, watts: s.watts })) } : {}),
    startedAt: a.startedAt,
    finishedAt: a.finishedAt,
  };
}
