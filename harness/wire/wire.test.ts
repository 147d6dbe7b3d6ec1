import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import type { Measurement, Predictions } from '../measurement.js';
import { resolveTrack } from '../tracks/load-track.js';
import {
  DEFAULT_ENERGY_NOTE,
  deviceRequestSchema,
  encodeCompletion,
  failRequestSchema,
  heartbeatRequest,
  heartbeatRequestSchema,
  leaseAnswer,
  leaseRequestSchema,
  MAX_DETECTIONS_PER_IMAGE,
  MAX_LEASE_MS,
  MAX_LOG_CHARS,
  parseAgentTrack,
  parseCompletion,
  parseLeaseAnswer,
  registeredDeviceId,
  runLogsSchema,
  trackForAgents,
  type CompletedRun,
  type FailRequest,
} from './index.js';

/**
 * The agent wire protocol end to end, without HTTP: what one side builds goes through JSON text and the other
 * side reads it back. The HTTP routes' behaviour is the agent API contract's (server/http/testing/).
 */

const TIMES = { startedAt: '2027-01-15T08:00:00.000Z', finishedAt: '2027-01-15T08:00:09.000Z' };
const TARGET = { kind: 'desktop', device: 'desk-1', runtime: 'onnxruntime-node 1.30.0', threads: 1, os: 'linux', cpu: 'test cpu' };

function measurement(predictions: Predictions, extra: Partial<Measurement> = {}): Measurement {
  return {
    predictions,
    runtime: 'onnxruntime-node 1.30.0',
    threads: 1,
    protocol: { warmupRuns: 2, minRuns: 3, minDurationMs: 0, maxRuns: 3 },
    latencyMs: [1.25, 1.5, 0.75],
    warmupMs: [4, 2],
    preprocessMs: [0.01, 0.02],
    ...extra,
  };
}

const topk: Predictions = { kind: 'topk', ids: ['00001', '00002'], topk: [[3, 1, 0, 6, 2], [9]] };

function labelMaps(values: 'uint8' | 'uint16'): Predictions {
  const data = (n: number) => (values === 'uint8' ? new Uint8Array([0, 1, 255, n]) : new Uint16Array([0, 258, 65_535, n]));
  return {
    kind: 'label-maps',
    ids: ['a', 'b'],
    maps: [
      { width: 2, height: 2, data: data(7) },
      { width: 4, height: 1, data: data(9) },
    ],
  };
}

/** The agent encodes, the JSON text crosses the wire, the server decodes. */
function acrossTheWire(run: CompletedRun) {
  return parseCompletion(JSON.parse(JSON.stringify(encodeCompletion(run, TIMES))) as unknown);
}

/** Label maps compare by value and by their array type (uint8 stays uint8). */
function expectSamePredictions(got: Predictions, want: Predictions): void {
  expect(got).toEqual(want);
  if (got.kind === 'label-maps' && want.kind === 'label-maps') {
    got.maps.forEach((m, i) => expect(m.data.constructor).toBe(want.maps[i]!.data.constructor));
  }
}

describe('the completion across the wire', () => {
  it('gives back the measurement of a top-k run, its robustness parts and energy null with its note', () => {
    const m = measurement(topk, {
      wall: { durationMs: 812.5, images: 2, selfReportedMs: 700 },
      targetReport: { benchmark: { avgMs: 1.3 }, thermal: [0, 1] },
      robustness: { 'test~gaussian-noise-3': { kind: 'topk', ids: topk.ids, topk: [[1], [2, 3]] }, 'test~inverted': labelMaps('uint8') },
      robustnessSkipped: { 'test~adv': 'the server sent no inputs for this adversarial set' },
    });
    const { completion, json } = acrossTheWire({ measurement: m, target: TARGET, energy: null, energyNote: 'no sensor here', power: [{ t: 0, watts: 3 }] });
    expect(completion.measurement).toEqual(m);
    expectSamePredictions(completion.measurement.robustness!['test~inverted']!, m.robustness!['test~inverted']!);
    expect(completion).toMatchObject({ target: TARGET, energy: null, energyNote: 'no sensor here', ...TIMES });
    // Samples without a measured energy are not sent: there is nothing they were integrated into.
    expect(completion.power).toEqual([]);
    expect(json).not.toHaveProperty('power');
  });

  it("gives back protocol v2's trials, paired reference, environment readings, offline streams and profile", () => {
    const snapshot = (t: number, busy: number) => ({
      t,
      loadAvg1: 0.42,
      cpu: [{ core: 1, busyJiffies: busy, totalJiffies: 1000 + t }],
      cpufreq: [{ core: 1, curKHz: 1_500_000, maxKHz: 1_800_000, governor: 'performance' }],
      thermalC: { 'cpu-thermal': 51.5 },
    });
    const environment = { before: snapshot(0, 10), after: snapshot(500, 260), ownJiffies: 240, verdict: { ok: true, reasons: [] } };
    const refused = { ...environment, ownJiffies: null, verdict: { ok: false, reasons: ['core 1 was 48% busy with other processes, limit 10%'] } };
    const m = measurement(topk, {
      protocol: { warmupRuns: 2, minRuns: 2, minDurationMs: 0, maxRuns: 2, trials: 2 },
      latencyMs: [1.25, 1.5, 0.75, 0.8],
      warmupMs: [4, 2, 3, 2],
      trials: [
        {
          latencyMs: [1.25, 1.5],
          warmupMs: [4, 2],
          referenceLatencyMs: [2.5, 2.4],
          blockOrder: 'SRRS',
          timedMs: 9.5,
          capped: false,
          environment,
          refused: [refused],
        },
        { latencyMs: [0.75, 0.8], warmupMs: [3, 2], referenceLatencyMs: [1.5, 1.7], blockOrder: 'SRRS', timedMs: 6.25, capped: true },
      ],
      reference: { name: 'resnet_s', sha256: 'a'.repeat(64) },
      offline: [{ images: 300, wallMs: 71.5 }],
      applied: { freshProcessTrials: true, referencePaired: true, guards: true, scenario: 'single-stream' },
      profile: { runs: 20, totalMs: 0.5, nodes: [{ name: 'conv1', op: 'Conv', ms: 0.3, share: 0.6, macs: 1024, cio: null }] },
    });
    const { completion } = acrossTheWire({ measurement: m, target: TARGET, energy: null });
    expect(completion.measurement).toEqual(m);
    const bad = JSON.parse(JSON.stringify(encodeCompletion({ measurement: m, target: TARGET, energy: null }, TIMES))) as {
      measurement: { trials: { blockOrder: string }[] };
    };
    bad.measurement.trials[0]!.blockOrder = 'SXRS';
    expect(errorOf(() => parseCompletion(bad)).message).toMatch(/measurement\.trials\.0\.blockOrder/);
  });

  it('gives back uint8 and uint16 label maps, energy with its idle figure and the power samples alone', () => {
    const energy = { joules: 12.5, avgWatts: 4.2, source: 'rapl', sampleCount: 30, windowSeconds: 2.97, idle: { watts: 1.961, source: 'track' as const } };
    for (const values of ['uint8', 'uint16'] as const) {
      const m = measurement(labelMaps(values));
      // A sampler's samples may carry more than t and watts: the wire takes those two.
      const power = [
        { t: 0, watts: 4 },
        { t: 100, watts: 4.4, volts: 12 },
      ];
      const { completion } = acrossTheWire({ measurement: m, target: TARGET, energy, power });
      expectSamePredictions(completion.measurement.predictions, m.predictions);
      expect(completion.measurement).toEqual(m);
      expect(completion.energy).toEqual(energy);
      expect(completion.energyNote).toBeUndefined();
      expect(completion.power).toEqual([
        { t: 0, watts: 4 },
        { t: 100, watts: 4.4 },
      ]);
    }
  });

  it('gives back detections as they were: boxes, scores and class indices per image, an image without any too', () => {
    const detections: Predictions = {
      kind: 'detections',
      ids: ['c1.png', 'c2.png', 'c3.png'],
      detections: [
        [
          { box: [1.5, 2, 30.25, 40], score: 0.9, classIndex: 3 },
          { box: [0, 0, 0, 0], score: -2, classIndex: 0 },
        ],
        [],
        [{ box: [10, 10, 12, 11], score: 1e-9, classIndex: 9 }],
      ],
    };
    const m = measurement(detections);
    const { completion } = acrossTheWire({ measurement: m, target: TARGET, energy: null, energyNote: 'none here' });
    expect(completion.measurement).toEqual(m);
  });

  it('says why energy is null when the run did not, and keeps a measured energy without samples', () => {
    expect(acrossTheWire({ measurement: measurement(topk), target: TARGET, energy: null }).completion.energyNote).toBe(DEFAULT_ENERGY_NOTE);
    const energy = { joules: 1, avgWatts: 1, source: 'scpi', sampleCount: 1 };
    const { completion } = acrossTheWire({ measurement: measurement(topk), target: TARGET, energy });
    expect(completion).toMatchObject({ energy, power: [] });
  });

  it('stores JSON that decodes again to the same completion (a re-score reads it)', () => {
    const run = { measurement: measurement(labelMaps('uint16'), { robustness: { 'test~contrast-5': labelMaps('uint16') } }), target: TARGET, energy: null };
    const first = acrossTheWire(run);
    const again = parseCompletion(JSON.parse(JSON.stringify(first.json)) as unknown, 'LPCV_E_RESCORE_FAILED');
    expect(again.completion).toEqual(first.completion);
  });
});

describe('a malformed completion', () => {
  const base = {
    measurement: {
      predictions: { kind: 'topk', ids: ['a', 'b'], topk: [[1, 0], [0]] },
      runtime: 'r 1',
      threads: 1,
      protocol: { warmupRuns: 1, minRuns: 2, minDurationMs: 0, maxRuns: 2 },
      latencyMs: [1, 2],
      warmupMs: [3],
      preprocessMs: [],
    },
    target: { kind: 'desktop', device: 'd', runtime: 'r 1', threads: 1, os: 'linux', cpu: 'c' },
    energy: null,
    ...TIMES,
  };
  const withMeasurement = (m: Record<string, unknown>) => ({ ...base, measurement: { ...base.measurement, ...m } });
  const refusal = (body: unknown) => errorOf(() => parseCompletion(body));

  it('is LPCV_E_PRED_MALFORMED naming the key', () => {
    expect(refusal({ ...base, energy: { joules: -1, avgWatts: 1, source: 's', sampleCount: 1 } })).toMatchObject({
      code: 'LPCV_E_PRED_MALFORMED',
      message: expect.stringMatching(/energy\.joules/),
    });
    expect(refusal(withMeasurement({ predictions: { kind: 'topk', ids: ['a'], topk: [[1], [2]] } })).message).toMatch(
      /measurement\.predictions\.topk: 2 entries for 1 ids/,
    );
    const short = { width: 2, height: 2, bytesPerValue: 2, data: Buffer.alloc(4).toString('base64') };
    expect(refusal(withMeasurement({ predictions: { kind: 'label-maps', ids: ['a'], maps: [short] } })).message).toMatch(
      /measurement\.predictions\.maps\.0\.data: 4 bytes, expected 2 x 2 x 2/,
    );
    expect(refusal(withMeasurement({ predictions: { kind: 'label-maps', ids: ['a'], maps: [{ ...short, data: 'not base64!' }] } })).message).toMatch(
      /maps\.0\.data: expected base64/,
    );
    const det = (d: unknown, ids = ['a']) => withMeasurement({ predictions: { kind: 'detections', ids, detections: d } });
    const box = { box: [0, 0, 4, 4], score: 0.5, classIndex: 1 };
    expect(refusal(det([[box], []])).message).toMatch(/measurement\.predictions\.detections: 2 entries for 1 ids/);
    expect(refusal(det([[{ ...box, box: [5, 0, 4, 4] }]])).message).toMatch(/x1 <= x2 and y1 <= y2/);
    expect(refusal(det([[{ ...box, score: null }]])).message).toMatch(/detections\.0\.0\.score/);
    expect(refusal(det([[{ ...box, classIndex: -1 }]])).message).toMatch(/classIndex/);
    expect(refusal(det([[{ ...box, box: [0, 0, 4] }]])).message).toMatch(/detections\.0\.0\.box/);
    expect(refusal(det([Array.from({ length: MAX_DETECTIONS_PER_IMAGE + 1 }, () => box)])).code).toBe('LPCV_E_PRED_MALFORMED');
    expect(refusal({ ...base, extra: 1 }).message).toMatch(/extra|Unrecognized/);
    expect(refusal({ ...base, startedAt: 'yesterday' }).message).toMatch(/startedAt/);
    expect(refusal({ ...base, leaseToken: 't' }).message).toMatch(/leaseToken/);
    expect(refusal(withMeasurement({ latencyMs: [] })).message).toMatch(/measurement\.latencyMs/);
  });

  it('names the robustness split whose predictions are wrong', () => {
    expect(refusal(withMeasurement({ robustness: { 'contrast 5': base.measurement.predictions } })).message).toMatch(/measurement\.robustness/);
    const one = { kind: 'topk', ids: ['a', 'b'], topk: [[1]] };
    expect(refusal(withMeasurement({ robustness: { 'test~contrast-5': one } })).message).toMatch(
      /measurement\.robustness\.test~contrast-5\.topk: 1 entries for 2 ids/,
    );
  });

  it("is the caller's code when it passes one (a re-score)", () => {
    expect(errorOf(() => parseCompletion({ ...base, energy: 'none' }, 'LPCV_E_RESCORE_FAILED')).code).toBe('LPCV_E_RESCORE_FAILED');
  });
});

describe('the lease answer across the wire', () => {
  const track = resolveTrack('fashion-mnist');
  const job = { id: 7, submissionId: 's-1', track: track.name, split: 'test', leaseToken: 'tok', leaseExpiresAt: 1_800_000_060_000, attempt: 1 };
  const artifact = { sha256: 'a'.repeat(64), bytes: 1234, format: 'onnx' };
  const inputs = { sha256: 'b'.repeat(64), bytes: 6_272_123, count: 8000 };

  it('carries the track without its data set, baselines or paths, which the agent reads back whole', () => {
    const text = JSON.stringify(leaseAnswer({ job, track, artifact, inputs }));
    expect(text).not.toContain(track.dir);
    const lease = parseLeaseAnswer(JSON.parse(text) as unknown);
    expect(lease).toEqual({
      job,
      track: expect.any(Object),
      artifact: { url: `/api/artifacts/${artifact.sha256}`, ...artifact },
      inputs: { url: '/api/inputs/fashion-mnist/test', ...inputs },
    });
    for (const key of ['dataset', 'baselines', 'file', 'dir']) expect(lease.track).not.toHaveProperty(key);
    expect(parseAgentTrack(lease.track)).toEqual(trackForAgents(track));
  });

  it("names the adversarial sets' packs when the split has some", () => {
    const answer = leaseAnswer({
      job,
      track,
      artifact,
      inputs,
      robustnessInputs: [{ split: 'test~inverted', sha256: 'c'.repeat(64), bytes: 10, count: 8000 }],
    });
    expect(parseLeaseAnswer(JSON.parse(JSON.stringify(answer)) as unknown).robustnessInputs).toEqual([
      { split: 'test~inverted', url: '/api/inputs/fashion-mnist/test~inverted', sha256: 'c'.repeat(64), bytes: 10, count: 8000 },
    ]);
    expect(leaseAnswer({ job, track, artifact, inputs, robustnessInputs: [] })).not.toHaveProperty('robustnessInputs');
  });

  it("refuses a malformed answer as the server's fault, and a track the agent cannot take naming its keys", () => {
    const answer = JSON.parse(JSON.stringify(leaseAnswer({ job, track, artifact, inputs }))) as { job: object; track: Record<string, unknown> };
    expect(errorOf(() => parseLeaseAnswer({ ...answer, job: { ...answer.job, leaseToken: '' } }))).toMatchObject({
      code: 'LPCV_E_INTERNAL',
      message: expect.stringMatching(/job\.leaseToken/),
    });
    // A newer server's key, or a data set an agent must never be sent.
    expect(errorOf(() => parseAgentTrack({ ...answer.track, dataset: track.dataset }))).toMatchObject({
      code: 'LPCV_E_TRACK_INVALID',
      message: expect.stringMatching(/the leased track: \(top level\): Unrecognized key: "dataset"/),
    });
    // The track file's own cross-key checks hold on agents too.
    const protocol = { ...(answer.track.protocol as object), minRuns: 5, maxRuns: 2 };
    expect(errorOf(() => parseAgentTrack({ ...answer.track, protocol })).message).toMatch(/protocol\.maxRuns: must be at least minRuns/);
    expect(errorOf(() => parseAgentTrack(undefined)).code).toBe('LPCV_E_TRACK_INVALID');
  });
});

describe('the small requests', () => {
  it("are what the server's schemas take when the agent builds them", () => {
    const beat = heartbeatRequest('tok', 60_000, { phase: 'latency', fraction: 0.123_456, done: 12.7, total: Number.NaN });
    expect(beat).toEqual({ leaseToken: 'tok', leaseMs: 60_000, progress: { phase: 'latency', fraction: 0.1235, done: 12 } });
    expect(heartbeatRequestSchema.parse(JSON.parse(JSON.stringify(beat)))).toEqual(beat);
    expect(heartbeatRequest('tok', 60_000, { phase: 'done', fraction: 1.2 }).progress?.fraction).toBe(1);
    expect(heartbeatRequest('tok', 60_000)).not.toHaveProperty('progress');
    const fail: FailRequest = { leaseToken: 'tok', fault: 'submission', code: 'LPCV_E_MODEL_OUTPUT_NAN', message: 'NaN on image 3' };
    expect(failRequestSchema.parse(fail)).toEqual(fail);
    expect(deviceRequestSchema.safeParse({ name: 'u96:1', kind: 'ultra96-v2', capabilities: { formats: ['zip'] } }).success).toBe(true);
    expect(deviceRequestSchema.safeParse({ name: 'a/b', kind: 'desktop' }).success).toBe(false);
  });

  it("carry the run's output tails when there are some, bounded per stream", () => {
    const logs = { stderr: { text: 'Traceback ...\n', truncated: true } };
    const fail: FailRequest = { leaseToken: 'tok', fault: 'submission', code: 'LPCV_E_SOLUTION_EXIT', message: 'exit 1', logs };
    expect(failRequestSchema.parse(JSON.parse(JSON.stringify(fail)))).toEqual(fail);
    expect(runLogsSchema.safeParse({ stdout: { text: 'é'.repeat(MAX_LOG_CHARS), truncated: false } }).success).toBe(true);
    expect(runLogsSchema.safeParse({ stdout: { text: 'x'.repeat(MAX_LOG_CHARS + 1), truncated: true } }).success).toBe(false);
    expect(runLogsSchema.safeParse({ stdout: { text: 'x' } }).success).toBe(false);
    expect(runLogsSchema.safeParse({ console: { text: 'x', truncated: false } }).success).toBe(false);
  });

  it('bound the lease length on both sides', () => {
    expect(leaseRequestSchema.safeParse({ deviceId: 1, leaseMs: MAX_LEASE_MS }).success).toBe(true);
    expect(leaseRequestSchema.safeParse({ deviceId: 1, leaseMs: MAX_LEASE_MS + 1 }).success).toBe(false);
    expect(heartbeatRequestSchema.safeParse({ leaseToken: 't', leaseMs: 999 }).success).toBe(false);
  });

  it("read the registration's answer for the device id", () => {
    expect(registeredDeviceId({ deviceId: 3, name: 'd', kind: 'desktop', later: true })).toBe(3);
    expect(errorOf(() => registeredDeviceId({ id: 3 })).code).toBe('LPCV_E_INTERNAL');
  });
});
