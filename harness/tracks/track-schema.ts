import { submissionSplit } from './split-policy.js';
import { z } from 'zod';
import { robustnessIssues, robustnessSchema } from '../datasets/corruptions/robustness-schema.js';
import { ssdSpecSchema } from '../detection/ssd-spec.js';
import { TASK_FACTS, TASK_NAMES } from '../tasks/task-catalog.js';

/**
 * The schema of a track file (tracks/<name>/track.json). A track is declarative: the harness, the server
 * and the agents read the same file. Paths inside it are relative to the track file's folder.
 */

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

/** A split is a contiguous range over the data set's ordered samples. */
export const splitSchema = z.strictObject({
  start: nonNegativeInt,
  count: positiveInt,
  /** public: participants may score locally; hidden: labels stay on the server. */
  visibility: z.enum(['public', 'hidden']),
  description: z.string().optional(),
});

const idxDatasetSchema = z.strictObject({
  format: z.literal('idx'),
  images: z.string().min(1),
  labels: z.string().min(1),
});

const imageFolderDatasetSchema = z.strictObject({
  format: z.literal('image-folder'),
  /** Folder of PNG/JPEG images. */
  images: z.string().min(1),
  /** CSV `file,label` (label a class index or a class name), one image per line, header optional. */
  labels: z.string().min(1),
});

const cocoDatasetSchema = z.strictObject({
  format: z.literal('coco'),
  images: z.string().min(1),
  /** COCO instances JSON (images, annotations, categories). */
  annotations: z.string().min(1),
});

const segmentationDatasetSchema = z.strictObject({
  format: z.literal('segmentation'),
  images: z.string().min(1),
  /** Folder of PNG label maps, one per image with the same base name. */
  masks: z.string().min(1),
  ignoreIndex: z.number().int().optional(),
});

export const datasetSchema = z.discriminatedUnion('format', [
  idxDatasetSchema,
  imageFolderDatasetSchema,
  cocoDatasetSchema,
  segmentationDatasetSchema,
]);

export const preprocessSchema = z.strictObject({
  /** Resize to the input's spatial size (bilinear) when the image differs; fails otherwise. */
  resize: z.boolean().default(false),
  /** Colour handling: gray takes one channel, rgb three. */
  channels: z.enum(['gray', 'rgb']),
  /** Multiplied into each uint8 pixel first (e.g. 1/255). */
  scale: z.number().positive(),
  /** Then (x - mean[c]) / std[c], one value per channel. */
  mean: z.array(z.number()).min(1),
  std: z.array(z.number().positive()).min(1),
});

export const inputSpecSchema = z.strictObject({
  name: z.string().min(1),
  /** Batch dimension first; it may be symbolic in the model, the harness feeds batch 1. */
  shape: z.array(positiveInt).min(1),
  dtype: z.enum(['float32', 'uint8']),
  layout: z.enum(['NCHW', 'NHWC', 'NC']),
  preprocess: preprocessSchema,
});

export const outputSpecSchema = z.strictObject({
  /** Optional: when omitted the model's first output is used. */
  name: z.string().min(1).optional(),
  /** Classification: number of class scores per image. */
  numClasses: positiveInt.optional(),
  /**
   * Detection with raw SSD-style heads (outputs `locations`, `confidences`) that the harness decodes with these
   * priors and this suppression (harness/detection/ssd-spec.ts); without it a detection model outputs its own
   * boxes, scores and classes.
   */
  ssd: ssdSpecSchema.optional(),
});

export const metricSchema = z.enum(['top1', 'top5', 'map', 'map50', 'miou', 'mdice', 'f1']);

export const scoreSchema = z.strictObject({
  formula: z.string().min(1),
  version: positiveInt.optional(),
  params: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
});

/**
 * Environment guards (docs/protocol.md, "Environment guards"): what the device is read for before and after
 * each trial, the limits a trial must stay within, how often a refused trial is repeated before the job fails
 * as the infrastructure's fault, and an optional cooldown between trials.
 */
export const guardsSchema = z.strictObject({
  /** Other processes' busy share of the run's cores over a trial, in percent (the run's own CPU time excluded). */
  maxOtherBusyPct: z.number().min(0).max(100).optional(),
  /** The hottest thermal zone (or a phone's battery) after a trial, in degrees C. */
  maxTempC: z.number().positive().max(200).optional(),
  /** A core's frequency after a trial as a percentage of before it: a drop below this refuses the trial. */
  minFreqPct: z.number().min(1).max(100).optional(),
  /** Attempts per trial beyond the first when the guards refuse it. */
  repeats: nonNegativeInt.max(10).default(2),
  /** Before each trial: a fixed pause, and/or waiting (at most maxWaitMs) until the hottest zone is at most untilTempC. */
  cooldown: z
    .strictObject({
      pauseMs: nonNegativeInt.max(600_000).optional(),
      untilTempC: z.number().positive().max(200).optional(),
      maxWaitMs: positiveInt.max(3_600_000).default(120_000),
    })
    .optional(),
});

export const protocolSchema = z.strictObject({
  /** Untimed runs before timing starts (per trial). */
  warmupRuns: nonNegativeInt,
  /** Timing continues until at least this many timed runs ... (per trial) */
  minRuns: positiveInt,
  /** ... and at least this much time spent in timed runs (as MLPerf LoadGen's min_query_count and min_duration; per trial). */
  minDurationMs: nonNegativeInt,
  /** Hard cap on timed runs per trial, so that a tiny model does not loop for ever. */
  maxRuns: positiveInt.optional(),
  /** Intra-op threads (OVIC measured with one). */
  threads: positiveInt.default(1),
  /** Independent trials, each a fresh inference process with its own warm-up and timed runs (protocol v2). */
  trials: positiveInt.max(100).default(1),
  /** A baseline of this track timed in the same process as the submission, in alternating blocks, every trial. */
  reference: z.string().min(1).optional(),
  /** The reference's latency in ms fixed by the organizer: relativeLatency x this is `calibratedLatency`. */
  referenceLatencyMs: z.number().positive().finite().optional(),
  /**
   * With a reference: each block times one model for at least this long (at least one run), blocks alternating
   * S R R S ...; by time rather than by count, so that both models' blocks span the same stretches of the
   * machine's speed whatever their latencies.
   */
  blockMs: positiveInt.max(60_000).default(25),
  /** Seed of the latency pool's sample order (the same order on every machine). */
  seed: nonNegativeInt.max(2 ** 32 - 1).default(1),
  /** single-stream: one input at a time, each run timed; offline: the pool streamed as fast as it runs, images per second. */
  scenario: z.enum(['single-stream', 'offline']).default('single-stream'),
  guards: guardsSchema.optional(),
});

export const limitsSchema = z.strictObject({
  maxArtifactBytes: positiveInt,
  /** Wall-clock limit for one whole run (accuracy pass + latency pass); the process is killed past it. */
  runTimeoutMs: positiveInt,
  /**
   * Resident memory of the desktop target's inference process, MiB (LPCV_E_MODEL_MEMORY past it). Watched
   * from outside rather than set as an address-space limit, which V8's reservations would break.
   */
  memoryMb: positiveInt.max(1_048_576).default(4096),
});

/**
 * The class of device a track runs on, and how the drivers run it there (docs/tracks.md, "target").
 * Drivers add their own keys here (each optional, or with a default), so one track file says it all.
 */
export const targetSchema = z.strictObject({
  /** Jobs are leased by devices of this kind (desktop, ultra96-v2, jetson-nano, raspberry-pi, android, ...). */
  kind: z.string().min(1),
  /**
   * Solution packages in the bubblewrap sandbox (docs/solution-packages.md): the package's address space
   * (RLIMIT_AS) in MiB, its processes and threads at once, the size of its private /tmp in MiB, and what it
   * may write into its output folder: MiB in all (also the largest one file may be) and entries. The run's
   * time limit is limits.runTimeoutMs.
   */
  sandbox: z
    .strictObject({
      memoryMb: positiveInt.max(1_048_576).default(4096),
      maxProcesses: positiveInt.max(4096).default(256),
      tmpMb: positiveInt.max(65_536).default(256),
      outputMb: positiveInt.max(65_536).default(256),
      maxOutputFiles: positiveInt.max(10_000_000).default(100_000),
    })
    .optional(),
  /**
   * Android phones (docs/android.md): whether to refuse a charging phone, the highest thermal status
   * (0 none .. 6 shutdown, from dumpsys thermalservice) and battery temperature accepted before a run, and
   * the cores to pin benchmark_model and the runner to (e.g. `7`, `4-7`; else the device spec's).
   */
  android: z
    .strictObject({
      refuseCharging: z.boolean().default(false),
      maxThermalStatus: z.number().int().min(0).max(6).optional(),
      maxBatteryTempC: z.number().positive().optional(),
      cores: z.string().regex(/^\d{1,2}(-\d{1,2})?(,\d{1,2}(-\d{1,2})?)*$/, 'a cores list such as 7, 4-7 or 0,2,4-5').optional(),
    })
    .optional(),
  /**
   * SSH boards (docs/ssh-boards.md): the on-board command as an argv array; `{package}`, `{inputs}`,
   * `{outputs}` and `{workdir}` are replaced inside each word by the run's paths on the board, and each word
   * is quoted on its own. Default: `python3 {package} -i {inputs} -o {outputs}` (the 2023 contract).
   */
  command: z.array(z.string().min(1)).min(1).optional(),
  /** SSH boards: drop the board's page cache before the run (the 2021 FPGA track did). Default false. */
  dropCaches: z.boolean().optional(),
  /** SSH boards: cut the board's network (all but the SSH session) for the run. Default false. */
  lockNetwork: z.boolean().optional(),
});

/**
 * Power measurement for the track (docs/protocol.md, "Energy"; docs/power.md): drivers add keys here (sampling
 * period, idle-power subtraction).
 */
export const idlePowerSchema = z.union([
  /** A fixed idle figure in watts, as the 2020 UAV track subtracted 1.961 W. */
  z.strictObject({ watts: z.number().nonnegative().finite() }),
  /** Idle power measured on the device just before each run, over this many milliseconds. */
  z.strictObject({ measureMs: positiveInt.max(600_000) }),
]);

export const powerSchema = z.strictObject({
  /** Sampling period of polled power sources in ms (default per source, docs/power.md). */
  periodMs: positiveInt.max(60_000).optional(),
  /** Idle power for formulas that subtract it; the record keeps gross joules and the idle figure beside them. */
  idle: idlePowerSchema.optional(),
});

/**
 * An organizer's reference model: queued by `lpcv serve` on the hidden split like a submission, shown on the
 * leaderboard marked as a baseline, never ranked. `file` is relative to the track file's folder.
 */
export const baselineSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, '1-64 letters, digits, . _ - (starting with a letter or digit)'),
  file: z.string().min(1),
  description: z.string().max(500).optional(),
});

/**
 * How the track's leaderboard picks and shows entries (docs/leaderboard.md). Without `publicSplit` every
 * submission runs on `privateSplit` only and the leaderboard shows it, hidden until the reveal. With it,
 * every submission also runs on the public split, whose leaderboard everyone sees during the competition;
 * the private one replaces it after the admin's reveal, each entry keeping both ranks.
 */
export const leaderboardSettingsSchema = z.strictObject({
  /**
   * Which of a team's entries counts: its best score (default), its latest scored submission, or the one the
   * team selected (EvalAI's "select one"; a team that selected none is ranked by its best).
   */
  entry: z.enum(['best', 'latest', 'selected']).default('best'),
  /** A public split scored for the leaderboard shown during the competition. */
  publicSplit: z.string().optional(),
  /** The split of the final (private) leaderboard; default: the track's first hidden split, else its default split. */
  privateSplit: z.string().optional(),
});

export const trackSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    title: z.string().min(1),
    description: z.string().optional(),
    task: z.enum(TASK_NAMES),
    classes: z.array(z.string().min(1)).min(1),
    dataset: datasetSchema,
    splits: z.record(z.string().regex(/^[a-z0-9-]+$/), splitSchema),
    defaultSplit: z.string().optional(),
    input: inputSpecSchema,
    output: outputSpecSchema.default({}),
    /** What a team may submit: `solution` is a zip package, `aihub-job` the id of a compile job shared on Qualcomm AI Hub. */
    formats: z.array(z.enum(['onnx', 'tflite', 'solution', 'aihub-job'])).min(1),
    metrics: z.array(metricSchema).min(1),
    score: scoreSchema,
    protocol: protocolSchema,
    limits: limitsSchema,
    target: targetSchema.prefault({ kind: 'desktop' }),
    power: powerSchema.optional(),
    baselines: z.array(baselineSchema).optional(),
    leaderboard: leaderboardSettingsSchema.optional(),
    /**
     * What participants may see of their own runs (docs/running-a-competition.md): `logs: false` hides the
     * stdout/stderr tails of packages and board runs from them (Codabench's hide_output; admins still see
     * them); `publicFailures: true` lists the track's failed submissions (team, time, code) to everyone.
     */
    participants: z
      .strictObject({ logs: z.boolean().default(true), publicFailures: z.boolean().default(false) })
      .optional(),
    /** Corrupted and adversarial evaluation splits derived from clean splits (docs/robustness.md). */
    robustness: robustnessSchema.optional(),
  })
  .superRefine((t, ctx) => {
    if (Object.keys(t.splits).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['splits'], message: 'at least one split is required' });
    }
    if (t.defaultSplit !== undefined && !(t.defaultSplit in t.splits)) {
      ctx.addIssue({ code: 'custom', path: ['defaultSplit'], message: `names no split (have ${Object.keys(t.splits).join(', ')})` });
    }
    const scored: readonly string[] = TASK_FACTS[t.task].metrics;
    t.metrics.forEach((m, i) => {
      if (!scored.includes(m)) ctx.addIssue({ code: 'custom', path: ['metrics', i], message: `${m} is not a ${t.task} metric (${t.task} gives ${scored.join(', ')})` });
    });
    if (t.output.ssd !== undefined && t.task !== 'detection') {
      ctx.addIssue({ code: 'custom', path: ['output', 'ssd'], message: `declares SSD heads, which only a detection track decodes (the task is ${t.task})` });
    }
    const channels = t.input.preprocess.channels === 'gray' ? 1 : 3;
    for (const key of ['mean', 'std'] as const) {
      if (t.input.preprocess[key].length !== channels) {
        ctx.addIssue({ code: 'custom', path: ['input', 'preprocess', key], message: `expected ${channels} value(s), one per channel` });
      }
    }
    const seen = new Set<string>();
    (t.baselines ?? []).forEach((b, i) => {
      if (seen.has(b.name)) ctx.addIssue({ code: 'custom', path: ['baselines', i, 'name'], message: `baseline ${JSON.stringify(b.name)} is listed twice` });
      seen.add(b.name);
    });
    for (const key of ['publicSplit', 'privateSplit'] as const) {
      const name = t.leaderboard?.[key];
      if (name !== undefined && !(name in t.splits)) ctx.addIssue({ code: 'custom', path: ['leaderboard', key], message: `names no split (have ${Object.keys(t.splits).join(', ')})` });
    }
    const publicSplit = t.leaderboard?.publicSplit;
    if (publicSplit !== undefined) {
      const privateSplit = submissionSplit(t);
      if (privateSplit === publicSplit) ctx.addIssue({ code: 'custom', path: ['leaderboard', 'publicSplit'], message: `must differ from the private split (${privateSplit}); name the private one in leaderboard.privateSplit` });
    }
    if (t.protocol.maxRuns !== undefined && t.protocol.maxRuns < t.protocol.minRuns) {
      ctx.addIssue({ code: 'custom', path: ['protocol', 'maxRuns'], message: 'must be at least minRuns' });
    }
    // protocol.reference names a baseline: load-track.ts checks it (agents get the track without its baselines).
    if (t.protocol.referenceLatencyMs !== undefined && t.protocol.reference === undefined) {
      ctx.addIssue({ code: 'custom', path: ['protocol', 'referenceLatencyMs'], message: 'needs protocol.reference (the model whose latency it is)' });
    }
    for (const issue of t.robustness ? robustnessIssues(t.robustness, Object.keys(t.splits)) : []) {
      ctx.addIssue({ code: 'custom', path: ['robustness', ...issue.path], message: issue.message });
    }
  });

export type TrackFile = z.infer<typeof trackSchema>;
export type DatasetSpec = z.infer<typeof datasetSchema>;
export type InputSpec = z.infer<typeof inputSpecSchema>;
export type SplitSpec = z.infer<typeof splitSchema>;
export type RunProtocol = z.infer<typeof protocolSchema>;
export type Metric = z.infer<typeof metricSchema>;
export type BaselineSpec = z.infer<typeof baselineSchema>;
export type TargetSpec = z.infer<typeof targetSchema>;
export type PowerSpec = z.infer<typeof powerSchema>;
export type IdlePowerSpec = z.infer<typeof idlePowerSchema>;
export type LeaderboardSettings = z.infer<typeof leaderboardSettingsSchema>;
export type GuardsSpec = z.infer<typeof guardsSchema>;
