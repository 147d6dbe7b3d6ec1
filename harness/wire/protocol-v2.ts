import { z } from 'zod';

/**
 * Protocol v2's parts of a completion (docs/protocol.md): the trials with their environment readings, the
 * reference they were paired with, the Offline scenario's streams, what of the protocol the target applied,
 * and the layer profile. Shapes as harness/trials.ts, harness/environment.ts and harness/layer-profile.ts.
 */

const finiteMs = z.number().finite().nonnegative();
const jiffies = z.number().int().nonnegative();

export const environmentSnapshotSchema = z.strictObject({
  t: z.number().finite(),
  loadAvg1: z.number().finite().nonnegative().nullable(),
  cpu: z.array(z.strictObject({ core: z.number().int().nonnegative(), busyJiffies: jiffies, totalJiffies: jiffies })).max(1024),
  cpufreq: z
    .array(
      z.strictObject({
        core: z.number().int().nonnegative(),
        curKHz: z.number().finite().nonnegative().nullable(),
        maxKHz: z.number().finite().nonnegative().nullable(),
        governor: z.string().max(100).nullable(),
      }),
    )
    .max(1024),
  thermalC: z.record(z.string().max(100), z.number().finite()).refine((r) => Object.keys(r).length <= 256, 'at most 256 zones'),
  phone: z
    .strictObject({
      thermalStatus: z.number().int().min(0).max(6).nullable(),
      batteryTempC: z.number().finite().nullable(),
      charging: z.boolean().nullable(),
    })
    .optional(),
});

export const trialEnvironmentSchema = z.strictObject({
  before: environmentSnapshotSchema,
  after: environmentSnapshotSchema,
  ownJiffies: jiffies.nullable(),
  verdict: z.strictObject({ ok: z.boolean(), reasons: z.array(z.string().max(1000)).max(50) }),
});

export const trialSchema = z.strictObject({
  latencyMs: z.array(finiteMs),
  warmupMs: z.array(finiteMs),
  referenceLatencyMs: z.array(finiteMs).optional(),
  blockOrder: z
    .string()
    .regex(/^[SR]*$/)
    .max(1_000_000)
    .optional(),
  timedMs: finiteMs,
  capped: z.boolean(),
  environment: trialEnvironmentSchema.optional(),
  refused: z.array(trialEnvironmentSchema).max(20).optional(),
});

export const protocolAppliedSchema = z.strictObject({
  freshProcessTrials: z.boolean(),
  referencePaired: z.boolean(),
  guards: z.boolean(),
  scenario: z.enum(['single-stream', 'offline']),
});

export const layerProfileSchema = z.strictObject({
  runs: z.number().int().positive(),
  totalMs: finiteMs,
  nodes: z
    .array(
      z.strictObject({
        name: z.string().max(1000),
        op: z.string().max(200),
        ms: finiteMs,
        share: z.number().finite().min(0).max(1),
        macs: z.number().finite().nonnegative().nullable(),
        cio: z.number().finite().nonnegative().nullable(),
      }),
    )
    .max(25),
});

/** The measurement's protocol v2 keys, all optional (a completion from before v2 has none). */
export const protocolV2Fields = {
  trials: z.array(trialSchema).min(1).max(100).optional(),
  reference: z.strictObject({ name: z.string().min(1).max(64), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
  offline: z
    .array(z.strictObject({ images: z.number().int().positive(), wallMs: z.number().finite().positive() }))
    .min(1)
    .max(100)
    .optional(),
  applied: protocolAppliedSchema.optional(),
  profile: layerProfileSchema.optional(),
};
