import { z } from 'zod';
import type { ErrorCode } from '../../errors/codes.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Measurement, Predictions } from '../measurement.js';
import type { EnergyRecord, TargetInfo } from '../result-record.js';
import { describeIssues } from '../schema-issues.js';
import { decodePredictions, encodePredictions, predictionsSchema, type PredictionsJson } from './predictions.js';
import { protocolV2Fields } from './protocol-v2.js';
import type { RunLogs } from './run-logs.js';

/**
 * The body of POST /api/agent/jobs/:id/complete without the lease token (docs/api.md, "Agent API"): what a
 * device run produced. The agent encodes it (encodeCompletion), the server decodes it (parseCompletion); it is
 * also what `results.raw_json` stores, so that a result can be re-scored from it later by the same decoder.
 */

const finiteMs = z.number().finite().nonnegative();

/** Robustness split names as the harness makes them: `<split>~<corruption>-<severity>` or `<split>~<set>`. */
const robustnessName = z.string().regex(/^[a-z0-9-]+~[a-z0-9][a-z0-9-]*$/, 'a robustness split name such as test~gaussian-noise-3');

export const completionSchema = z.strictObject({
  measurement: z.strictObject({
    predictions: predictionsSchema,
    runtime: z.string().min(1).max(200),
    threads: z.number().int().positive(),
    protocol: z.strictObject({
      warmupRuns: z.number().int().nonnegative(),
      minRuns: z.number().int().positive(),
      minDurationMs: finiteMs,
      maxRuns: z.number().int().positive(),
      trials: z.number().int().positive().max(100).optional(),
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
    ...protocolV2Fields,
  }),
  target: z.strictObject({
    kind: z.string().min(1).max(100),
    device: z.string().min(1).max(200),
    runtime: z.string().min(1).max(200),
    threads: z.number().int().positive(),
    os: z.string().max(200),
    cpu: z.string().max(200),
  }),
  // A measured number or nothing (docs/power.md): no sensor, energy null.
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

/** The completion as JSON (label maps in base64), without the lease token. */
export type CompletionJson = z.infer<typeof completionSchema>;

/**
 * The completion request: the lease token, the completion and the run's output tails. The tails sit beside
 * the completion, not in it: they are shown to the team (unless the track hides them), never stored with the
 * result or re-scored.
 */
export type CompletionRequest = CompletionJson & { readonly leaseToken: string; readonly logs?: RunLogs };

/** A power sample as completions carry it (ms on the sampler's clock, watts). */
export interface PowerPoint {
  readonly t: number;
  readonly watts: number;
}

/** A completion decoded: what the server scores. */
export interface Completion {
  readonly measurement: Measurement;
  readonly target: TargetInfo;
  readonly energy: EnergyRecord | null;
  readonly energyNote?: string;
  readonly power: readonly PowerPoint[];
  readonly startedAt: string;
  readonly finishedAt: string;
}

/** A device run as the agent reports it (the devices' TargetRun is one). */
export interface CompletedRun {
  readonly measurement: Measurement;
  readonly target: TargetInfo;
  /** A measured number or null; when null, energyNote says why. */
  readonly energy: EnergyRecord | null;
  readonly energyNote?: string;
  /** The samples the energy was integrated from; sent with a measured energy only. */
  readonly power?: readonly PowerPoint[];
}

/** Said of a run without energy that did not say why. */
export const DEFAULT_ENERGY_NOTE = 'the device has no power sensor';

/**
 * The agent's side: a run as the completion's JSON. Energy null always comes with its note; power samples go
 * with a measured energy only (they are what it was integrated from).
 */
export function encodeCompletion(run: CompletedRun, times: { readonly startedAt: string; readonly finishedAt: string }): CompletionJson {
  const { measurement: m, target, energy } = run;
  return {
    measurement: {
      predictions: encodePredictions(m.predictions),
      runtime: m.runtime,
      threads: m.threads,
      protocol: m.protocol,
      latencyMs: m.latencyMs,
      warmupMs: m.warmupMs,
      preprocessMs: m.preprocessMs,
      ...(m.wall ? { wall: m.wall } : {}),
      ...(m.targetReport ? { targetReport: m.targetReport } : {}),
      ...(m.robustness ? { robustness: mapValues(m.robustness, encodePredictions) } : {}),
      ...(m.robustnessSkipped ? { robustnessSkipped: m.robustnessSkipped } : {}),
      ...(m.trials ? { trials: m.trials } : {}),
      ...(m.reference ? { reference: m.reference } : {}),
      ...(m.offline ? { offline: m.offline } : {}),
      ...(m.applied ? { applied: m.applied } : {}),
      ...(m.profile ? { profile: m.profile } : {}),
    },
    target,
    energy,
    ...(energy === null ? { energyNote: run.energyNote ?? DEFAULT_ENERGY_NOTE } : {}),
    ...(energy !== null && run.power ? { power: run.power.map((s) => ({ t: s.t, watts: s.watts })) } : {}),
    startedAt: times.startedAt,
    finishedAt: times.finishedAt,
  };
}

/**
 * The server's side: a completion body (without `leaseToken`) validated and its predictions decoded. A
 * malformed body is `code` (LPCV_E_PRED_MALFORMED by default; a re-score passes its own) with a message
 * naming the key. `json` is the body as validated, for storing.
 */
export function parseCompletion(body: unknown, code: ErrorCode = 'LPCV_E_PRED_MALFORMED'): { json: CompletionJson; completion: Completion } {
  const parsed = completionSchema.safeParse(body);
  if (!parsed.success) throw new LpcvError(code, `the completion is malformed: ${describeIssues(parsed.error.issues)}`);
  const json = parsed.data;
  // The schema is strict: the validated measurement holds exactly its keys, so only the predictions change.
  const { predictions, robustness, ...measured } = json.measurement;
  return {
    json,
    completion: {
      measurement: {
        ...measured,
        predictions: decodePredictions(predictions, 'measurement.predictions', code),
        ...(robustness ? { robustness: decodeRobustness(robustness, code) } : {}),
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

/** Each robustness split's predictions decoded as the clean split's, with the same checks. */
function decodeRobustness(r: Record<string, PredictionsJson>, code: ErrorCode): Record<string, Predictions> {
  const out: Record<string, Predictions> = {};
  for (const [name, p] of Object.entries(r)) out[name] = decodePredictions(p, `measurement.robustness.${name}`, code);
  return out;
}

function mapValues<A, B>(r: Readonly<Record<string, A>>, f: (a: A) => B): Record<string, B> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v)]));
}
