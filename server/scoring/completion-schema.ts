import { z } from 'zod';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { ErrorCode } from '../../errors/codes.js';
import type { LabelMapPrediction, Measurement, Predictions } from '../../harness/measurement.js';
import type { EnergyRecord, TargetInfo } from '../../harness/result-record.js';
import { describeIssues } from '../../harness/schema-issues.js';

/**
 * The body of POST /api/agent/jobs/:id/complete without the lease token: what a device run produced
 * (docs/api.md, "Agent API"). It is also what `results.raw_json` stores, so that a result can be re-scored
 * from it later by the same code (parseCompletion, then scoreCompletion).
 */

const finiteMs = z.number().finite().nonnegative();
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const topkPredictions = z.strictObject({
  kind: z.literal('topk'),
  ids: z.array(z.string().min(1)),
  topk: z.array(z.array(z.number().int().nonnegative()).min(1).max(5)),
});

const labelMap = z.strictObject({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytesPerValue: z.union([z.literal(1), z.literal(2)]),
  data: z.string().regex(BASE64, 'expected base64'),
});

const labelMapPredictions = z.strictObject({
  kind: z.literal('label-maps'),
  ids: z.array(z.string().min(1)),
  maps: z.array(labelMap),
});

const predictionsSchema = z.discriminatedUnion('kind', [topkPredictions, labelMapPredictions]);
/** Robustness split names as the harness makes them: `<split>~<corruption>-<severity>` or `<split>~<set>`. */
const robustnessName = z.string().regex(/^[a-z0-9-]+~[a-z0-9][a-z0-9-]*$/, 'a robustness split name such as test~gaussian-noise-3');

export const completionSchema = z.strictObject({
  measurement: z.strictObject({
    predictions: z.discriminatedUnion('kind', [topkPredictions, labelMapPredictions]),
    runtime: z.string().min(1).max(200),
    threads: z.number().int().positive(),
    protocol: z.strictObject({
      warmupRuns: z.number().int().nonnegative(),
      minRuns: z.number().int().positive(),
      minDurationMs: finiteMs,
      maxRuns: z.number().int().positive(),
    }),
    latencyMs: z.array(finiteMs).min(1),
    warmupMs: z.array(finiteMs),
    preprocessMs: z.array(finiteMs),
    wall: z.strictObject({ durationMs: finiteMs, images: z.number().int().positive(), selfReportedMs: finiteMs.optional() }).optional(),
    targetReport: z
      .record(z.string(), z.unknown())
      .refine((r) => JSON.stringify(r).length <= 65_536, 'at most 64 KiB of JSON')
      .optional(),
    // Robustness splits (docs/robustness.md): one prediction set each, and the declared ones the run skipped.
    robustness: z.record(robustnessName, predictionsSchema).optional(),
    robustnessSkipped: z.record(robustnessName, z.string().max(1000)).optional(),
  }),
  target: z.strictObject({
    kind: z.string().min(1).max(100),
    device: z.string().min(1).max(200),
    runtime: z.string().min(1).max(200),
    threads: z.number().int().positive(),
    os: z.string().max(200),
    cpu: z.string().max(200),
  }),
  // A measured number or nothing (DESIGN.md): no sensor, energy null.
  energy: z
    .strictObject({
      joules: z.number().finite().nonnegative(),
      avgWatts: z.number().finite().nonnegative(),
      source: z.string().min(1).max(200),
      sampleCount: z.number().int().positive(),
      windowSeconds: z.number().finite().nonnegative().optional(),
      idle: z.strictObject({ watts: z.number().finite().nonnegative(), source: z.enum(['track', 'measured']) }).optional(),
    })
    .nullable(),
  energyNote: z.string().max(1000).optional(),
  power: z.array(z.strictObject({ t: z.number().finite(), watts: z.number().finite().nonnegative() })).optional(),
  startedAt: z.iso.datetime({ offset: true }),
  finishedAt: z.iso.datetime({ offset: true }),
});

/** The completion as the agent sent it (JSON; label maps still base64). */
export type CompletionJson = z.infer<typeof completionSchema>;

/** A completion decoded for scoring. */
export interface Completion {
  readonly measurement: Measurement;
  readonly target: TargetInfo;
  readonly energy: EnergyRecord | null;
  readonly energyNote?: string;
  readonly power: readonly { t: number; watts: number }[];
  readonly startedAt: string;
  readonly finishedAt: string;
}

/**
 * Validates a completion body (without `leaseToken`) and decodes its label maps. A malformed body is
 * `code` (LPCV_E_PRED_MALFORMED by default) with a message naming the key.
 */
export function parseCompletion(body: unknown, code: ErrorCode = 'LPCV_E_PRED_MALFORMED'): { json: CompletionJson; completion: Completion } {
  const parsed = completionSchema.safeParse(body);
  if (!parsed.success) throw new LpcvError(code, `the completion is malformed: ${describeIssues(parsed.error.issues)}`);
  const json = parsed.data;
  const m = json.measurement;
  const predictions: Predictions =
    m.predictions.kind === 'topk'
      ? { kind: 'topk', ids: m.predictions.ids, topk: m.predictions.topk }
      : { kind: 'label-maps', ids: m.predictions.ids, maps: m.predictions.maps.map((map, i) => decodeLabelMap(map, i, code)) };
  const count = m.predictions.kind === 'topk' ? m.predictions.topk.length : m.predictions.maps.length;
  const what = m.predictions.kind === 'topk' ? 'topk' : 'maps';
  if (count !== m.predictions.ids.length) {
    throw new LpcvError(code, `the completion is malformed: measurement.predictions.${what}: ${count} entries for ${m.predictions.ids.length} ids`);
  }
  return {
    json,
    completion: {
      measurement: {
        predictions,
        runtime: m.runtime,
        threads: m.threads,
        protocol: m.protocol,
        latencyMs: m.latencyMs,
        warmupMs: m.warmupMs,
        preprocessMs: m.preprocessMs,
        ...(m.wall ? { wall: m.wall } : {}),
        ...(m.targetReport ? { targetReport: m.targetReport } : {}),
        ...(m.robustness ? { robustness: decodeRobustness(m.robustness, code) } : {}),
        ...(m.robustnessSkipped ? { robustnessSkipped: m.robustnessSkipped } : {}),
      },
      target: json.target,
      energy: json.energy,
      ...(json.energyNote === undefined ? {} : { energyNote: json.energyNote }),
      power: json.power ?? [],
      startedAt: json.startedAt,
      finishedAt: json.finishedAt,
    },
  };
}

/** Each robustness split's predictions decoded as the clean split's, with the same count checks. */
function decodeRobustness(r: Record<string, z.infer<typeof predictionsSchema>>, code: ErrorCode): Record<string, Predictions> {
  const out: Record<string, Predictions> = {};
  for (const [name, p] of Object.entries(r)) {
    const key = `measurement.robustness.${name}`;
    const count = p.kind === 'topk' ? p.topk.length : p.maps.length;
    if (count !== p.ids.length) throw new LpcvError(code, `the completion is malformed: ${key}.${p.kind === 'topk' ? 'topk' : 'maps'}: ${count} entries for ${p.ids.length} ids`);
    out[name] = p.kind === 'topk' ? { kind: 'topk', ids: p.ids, topk: p.topk } : { kind: 'label-maps', ids: p.ids, maps: p.maps.map((map, i) => decodeLabelMap(map, i, code, key)) };
  }
  return out;
}

function decodeLabelMap(map: z.infer<typeof labelMap>, index: number, code: ErrorCode, key = 'measurement.predictions'): LabelMapPrediction {
  const bytes = Buffer.from(map.data, 'base64');
  const expected = map.width * map.height * map.bytesPerValue;
  if (bytes.length !== expected) {
    throw new LpcvError(code, `the completion is malformed: ${key}.maps.${index}.data: ${bytes.length} bytes, expected ${map.width} x ${map.height} x ${map.bytesPerValue}`);
  }
  if (map.bytesPerValue === 1) return { width: map.width, height: map.height, data: new Uint8Array(bytes) };
  const data = new Uint16Array(map.width * map.height);
  for (let i = 0; i < data.length; i++) data[i] = bytes.readUInt16LE(2 * i);
  return { width: map.width, height: map.height, data };
}
