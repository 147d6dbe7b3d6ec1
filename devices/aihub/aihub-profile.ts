/**
 * An AI Hub profile (`download_profile()`: `execution_summary` and `execution_detail`) read into latency
 * samples and the target report's per-layer view. Times in the profile are microseconds.
 */
import { z } from 'zod';
import { LpcvError } from '../../errors/lpcv-error.js';
import { AIHUB_CODES } from './aihub-faults.js';
import type { AihubComputeUnit } from './aihub-spec.js';

const profileSchema = z.object({
  executionSummary: z.looseObject({
    all_inference_times: z.array(z.number().nonnegative()).min(1),
    estimated_inference_time: z.number().optional(),
    inference_memory_peak_range: z.tuple([z.number(), z.number()]).optional(),
  }),
  executionDetail: z.array(z.looseObject({ name: z.string(), compute_unit: z.string(), execution_time: z.number().optional(), type: z.string().optional() })),
});

export interface AihubProfile {
  readonly jobId: string;
  /** The raw per-iteration times, ms: one latency sample each. */
  readonly latencyMs: number[];
  readonly estimatedMs: number | null;
  /** Bytes, [low, high], as AI Hub states the peak of inference memory. */
  readonly memoryPeakRange: [number, number] | null;
  readonly layers: { name: string; computeUnit: string; timeUs: number | null; type: string | null }[];
}

/** The helper's download_profile answer, checked: a profile without times is AI Hub's problem, never the team's. */
export function parseProfile(jobId: string, raw: unknown): AihubProfile {
  const r = profileSchema.safeParse(raw);
  if (!r.success)
    throw new LpcvError(AIHUB_CODES.infrastructure, `AI Hub profile job ${jobId}: unexpected profile (${r.error.issues[0]?.message ?? 'bad shape'})`);
  const s = r.data.executionSummary;
  return {
    jobId,
    latencyMs: s.all_inference_times.map((us) => us / 1000),
    estimatedMs: s.estimated_inference_time === undefined ? null : s.estimated_inference_time / 1000,
    memoryPeakRange: s.inference_memory_peak_range ?? null,
    layers: r.data.executionDetail.map((l) => ({
      name: l.name,
      computeUnit: l.compute_unit.toUpperCase(),
      timeUs: l.execution_time ?? null,
      type: l.type ?? null,
    })),
  };
}

/** Layers kept in the report: past this the rest are counted, not listed (the report stays under 64 KiB). */
const MAX_LAYERS = 300;

/**
 * The per-layer part of the target report, from the first profile (every profile of one compiled model places
 * its layers alike): each layer's compute unit and time, how many ran where, and a flag when layers fell back
 * to the CPU although an accelerator was asked for (or used by other layers).
 */
export function layerReport(profile: AihubProfile, computeUnit: AihubComputeUnit | undefined): Record<string, unknown> {
  const units: Record<string, number> = {};
  for (const l of profile.layers) units[l.computeUnit] = (units[l.computeUnit] ?? 0) + 1;
  const onCpu = profile.layers.filter((l) => l.computeUnit === 'CPU');
  const accelerated = (units.NPU ?? 0) + (units.GPU ?? 0) > 0 || computeUnit === 'npu' || computeUnit === 'gpu';
  const fallback = computeUnit !== 'cpu' && accelerated && onCpu.length > 0;
  return {
    layers: profile.layers.slice(0, MAX_LAYERS),
    ...(profile.layers.length > MAX_LAYERS ? { layersNotListed: profile.layers.length - MAX_LAYERS } : {}),
    layersByComputeUnit: units,
    cpuFallback: fallback,
    ...(fallback ? { cpuFallbackLayers: onCpu.slice(0, 50).map((l) => l.name) } : {}),
  };
}
