import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { MIXED_SPECS, syntheticInputs } from '../../harness/datasets/input-pack/testing/synthetic-inputs.js';
import type { InputPack } from '../../harness/datasets/input-pack/read-input-pack.js';
import type { InputSet } from '../../harness/datasets/types.js';
import type { Track } from '../../harness/tracks/track.js';
import { fixtureTree, type FixtureTree } from '../power/testing/sysfs-fixtures.js';
import { openHwmonSampler } from '../power/hwmon.js';
import type { PowerSampler } from '../power/power-sampler.js';
import { runTargetContract, type ContractJob } from '../targets/testing/target.contract.js';
import type { TargetJob, TargetRun } from '../targets/target.js';
import { buildFixturePackage, type FixturePackage } from './testing/build-package.js';
import { hostProcessesWith, survivorsOf, sandboxPidNamespace, SKIP_BWRAP, type HeldPidNamespace } from './testing/sandbox-probes.js';
import type { SandboxInit } from './sandbox-init.js';
import { writeSolutionTrack } from './testing/solution-tracks.js';
import { monotonicMs } from './run-sandboxed.js';
import { SolutionTarget } from './solution-target.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'lpcv-solution-target-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let packages = 0;
async function pkg(name: FixturePackage, values: Record<string, string> = {}): Promise<string> {
  const dir = path.join(scratch, `pkg-${++packages}`);
  mkdirSync(dir);
  return buildFixturePackage(name, dir, values);
}

function artifact(file: string): TargetJob['artifact'] {
  return { file, sha256: '0'.repeat(64), bytes: statSync(file).size, format: 'zip' };
}

const SANDBOX = { memoryMb: 512, maxProcesses: 24, tmpMb: 16 };
const trackDir = path.join(scratch, 'tracks');
mkdirSync(trackDir);
const classTrack = await writeSolutionTrack(trackDir, 'classification', { target: { sandbox: SANDBOX } });
const segTrack = await writeSolutionTrack(trackDir, 'segmentation', { target: { sandbox: SANDBOX } });
const detTrack = await writeSolutionTrack(trackDir, 'detection', { target: { sandbox: SANDBOX } });
// Room for 1 MiB and 50 entries in the output folder.
const smallOutputTrack = await writeSolutionTrack(mkdtempSync(path.join(scratch, 'small-out-')), 'classification', {
  target: { sandbox: { ...SANDBOX, outputMb: 1, maxOutputFiles: 50 } },
});
const shortTrack = await writeSolutionTrack(mkdtempSync(path.join(scratch, 'short-')), 'classification', { runTimeoutMs: 4000, target: { sandbox: SANDBOX } });
// The track's label file exists on the host, where a cheating package would look for it.
const labelsFile = path.join(trackDir, 'labels.csv');
writeFileSync(labelsFile, 'name,label\na.png,0\n');

const inputs = (): InputSet => syntheticInputs(MIXED_SPECS);

async function contractJob(name: FixturePackage, track: Track = classTrack): Promise<ContractJob> {
  return { track, split: 'test', artifact: artifact(await pkg(name)), inputs: inputs() };
}

runTargetContract('desktop solution package (bubblewrap)', {
  makeTarget: async () => new SolutionTarget({ name: 'contract-solution' }),
  goodJob: () => contractJob('good_classify'),
  failingJob: () => contractJob('exit_nonzero'),
  slowJob: () => contractJob('sleeper'),
  ...(SKIP_BWRAP ? { skip: 'bubblewrap is not installed' } : {}),
});

describe.skipIf(SKIP_BWRAP)('SolutionTarget against real packages in the sandbox', () => {
  const target = new SolutionTarget({ name: 'solution-test' });
  let jobs = 0;
  const job = (track: Track, file: string, extra: Partial<TargetJob> = {}): TargetJob => {
    const workDir = path.join(scratch, `work-${++jobs}`);
    mkdirSync(workDir);
    return {
      jobId: jobs,
      track,
      split: 'test',
      artifact: artifact(file),
      inputs: inputs() as InputPack,
      signal: new AbortController().signal,
      log: () => {},
      onProgress: () => {},
      workDir,
      ...extra,
    };
  };
  const failure = async (p: Promise<TargetRun>): Promise<LpcvError> => {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(LpcvError);
    return e as LpcvError;
  };

  beforeAll(async () => {
    await target.probe();
  }, 60_000);

  it('probes a real sandbox and names python and bubblewrap in the runtime', async () => {
    const info = await target.probe();
    expect(info.kind).toBe('desktop');
    expect(info.runtime).toMatch(/^python3 3\.\d+\.\d+ \(bubblewrap \d+\.\d+\.\d+ sandbox\)$/);
    expect(target.formats).toEqual(['zip']);
    expect(new SolutionTarget({ kind: 'jetson-nano' }).kind).toBe('jetson-nano');
  });

  it('classification: predictions for every id from the pixels, one latency value = wall time / images, time.txt recorded beside it', async () => {
    const run = await target.run(job(classTrack, await pkg('good_classify')));
    const m = run.measurement;
    const ids = MIXED_SPECS.map((s) => s.id);
    expect(m.predictions).toEqual({
      kind: 'topk',
      ids,
      // The stand-in model: gray images by mean brightness, RGB ones with unequal channels as "colour".
      topk: ids.map((_, i) => expected(i)),
    });
    expect(m.wall?.images).toBe(4);
    expect(m.latencyMs).toEqual([(m.wall?.durationMs ?? NaN) / 4]);
    expect(m.warmupMs).toEqual([]);
    expect(m.preprocessMs).toEqual([]);
    expect(m.protocol).toEqual({ warmupRuns: 0, minRuns: 1, minDurationMs: 0, maxRuns: 1 });
    expect(typeof m.wall?.selfReportedMs).toBe('number');
    expect(m.runtime).toMatch(/bubblewrap/);
    const report = m.targetReport?.sandbox as Record<string, unknown>;
    expect(report).toMatchObject({ tool: 'bubblewrap', exitCode: 0, leftoverTasks: 0 });
    // The supervisor's view of the package's process alone fits inside the harness's wall clock.
    expect(report.packageMs as number).toBeLessThanOrEqual(m.wall?.durationMs as number);
    expect(run.energy).toBeNull();
    expect(run.energyNote).toMatch(/no power sensor/);
  });

  it('segmentation: one label map per input, of its size, values from its pixels', async () => {
    const run = await target.run(job(segTrack, await pkg('good_segment')));
    const p = run.measurement.predictions;
    expect(p.kind).toBe('label-maps');
    if (p.kind !== 'label-maps') return;
    expect(p.ids).toEqual(MIXED_SPECS.map((s) => s.id));
    const src = syntheticInputs(MIXED_SPECS);
    p.maps.forEach((map, i) => {
      const img = src.image(i);
      expect([map.width, map.height]).toEqual([img.width, img.height]);
      expect([...map.data]).toEqual(Array.from({ length: img.width * img.height }, (_, px) => img.data[px * img.channels] >> 6));
    });
  });

  it.each([
    ['network', 'LPCV_E_SANDBOX_NETWORK'],
    ['write_outside', 'LPCV_E_SANDBOX_WRITE'],
    ['fork_bomb', 'LPCV_E_SANDBOX_PROCESSES'],
    ['exit_nonzero', 'LPCV_E_SOLUTION_EXIT'],
    ['no_output', 'LPCV_E_SOLUTION_NO_OUTPUT'],
    ['memory_hog', 'LPCV_E_SANDBOX_MEMORY'],
    ['kill_supervisor', 'LPCV_E_SANDBOX_SUPERVISOR'],
  ] as const)("%s is stopped and reported as %s, the submission's fault, and nothing of its sandbox survives", async (name, code) => {
    let ns: Promise<HeldPidNamespace> | undefined;
    let init: SandboxInit | null | undefined;
    const watched = new SolutionTarget({ name: 'solution-watched', onSpawn: (pid) => (ns = sandboxPidNamespace(pid)), onSandboxInit: (i) => (init = i) });
    const e = await failure(watched.run(job(classTrack, await pkg(name))));
    expect(e.code).toBe(code);
    expect(e.fault).toBe('submission');
    expect(ns).toBeDefined();
    expect(await survivorsOf(await (ns as Promise<HeldPidNamespace>), init)).toEqual([]);
  });

  it('detection: the boxes of detections.json (a COCO results list by input file name) for every id, in pixels, as corners', async () => {
    const run = await target.run(job(detTrack, await pkg('good_detect')));
    const p = run.measurement.predictions;
    if (p.kind !== 'detections') throw new Error(`expected detections, got ${p.kind}`);
    expect(p.ids).toEqual(MIXED_SPECS.map((s) => s.id));
    p.detections.forEach((boxes, i) => {
      const { width, height } = MIXED_SPECS[i]!;
      expect(boxes[0]).toMatchObject({ box: [0, 0, width, height], score: 0.9 });
      expect(boxes.slice(1)).toEqual(width > 4 ? [{ box: [1, 0, 3, 1], score: 0.25, classIndex: 0 }] : []);
    });
  }, 60_000);

  it("a package reaching for the track's labels finds nothing there and is reported as LPCV_E_SANDBOX_LABELS", async () => {
    const e = await failure(target.run(job(classTrack, await pkg('read_labels', { LABELS_PATH: labelsFile }))));
    expect(e.code).toBe('LPCV_E_SANDBOX_LABELS');
    expect(e.message).toContain(labelsFile);
  });

  it('the time limit kills the package and every child it started (none is left on the host)', async () => {
    const marker = `lpcv-marker-${randomUUID()}`;
    const running = target.run(job(shortTrack, await pkg('sleeper', { MARKER: marker })));
    await vi.waitFor(async () => expect((await hostProcessesWith(marker)).length).toBe(3), { timeout: 30_000, interval: 100 });
    const e = await failure(running);
    expect(e.code).toBe('LPCV_E_MODEL_TIMEOUT');
    expect(e.message).toContain('4000 ms');
    expect(await hostProcessesWith(marker)).toEqual([]);
  });

  it('a package that writes more than its output folder may hold is stopped: one file too large, too many bytes, too many entries', async () => {
    for (const [values, what] of [
      [{ COUNT: '1', BYTES: String(8 * 1024 * 1024) }, 'one 8 MiB file'],
      [{ COUNT: '4', BYTES: String(512 * 1024) }, 'four files of 512 KiB'],
      [{ COUNT: '200', BYTES: '1' }, '200 entries'],
    ] as const) {
      const e = await failure(target.run(job(smallOutputTrack, await pkg('big_output', values))));
      expect({ what, code: e.code, fault: e.fault }).toEqual({ what, code: 'LPCV_E_OUTPUT_TOO_LARGE', fault: 'submission' });
    }
    // Inside the limits the same package is measured.
    const ok = await target.run(job(smallOutputTrack, await pkg('big_output', { COUNT: '2', BYTES: '1000' })));
    expect(ok.measurement.predictions.ids).toHaveLength(4);
  }, 120_000);

  it("refuses a format it does not run (the infrastructure's mistake, not the team's)", async () => {
    const j = job(classTrack, await pkg('good_classify'));
    const e = await failure(target.run({ ...j, artifact: { ...j.artifact, format: 'onnx' } }));
    expect(e.code).toBe('LPCV_E_TARGET_FORMAT');
    expect(e.fault).toBe('infrastructure');
  });

  describe('with a power sampler (hwmon over a fixture tree: no real sensor here)', () => {
    let tree: FixtureTree;
    beforeAll(async () => {
      tree = await fixtureTree({ 'class/hwmon/hwmon0/name': 'ina226', 'class/hwmon/hwmon0/power1_input': 4_000_000 });
    });
    afterAll(() => tree.close());

    it('brackets exactly the sandbox run: the sampler starts before the spawn and stops after the exit; joules = 4 W x the window', async () => {
      const events: string[] = [];
      const hwmon = await openHwmonSampler({ root: tree.root, periodMs: 20 });
      const sampler: PowerSampler = {
        source: hwmon.source,
        start: async () => {
          await hwmon.start();
          events.push('sampler started');
        },
        stop: async () => {
          events.push('sampler stopping');
          return hwmon.stop();
        },
      };
      let spawnedAt = 0;
      const powered = new SolutionTarget({
        name: 'solution-powered',
        powerSampler: sampler,
        onSpawn: () => {
          spawnedAt = monotonicMs();
          events.push('spawned');
        },
      });
      const run = await powered.run(job(classTrack, await pkg('good_classify')));
      expect(events).toEqual(['sampler started', 'spawned', 'sampler stopping']);
      expect(spawnedAt).toBeGreaterThan(0);
      expect(run.energy).not.toBeNull();
      const e = run.energy!;
      expect(e.source).toMatch(/^hwmon:/);
      expect(e.joules).toBeCloseTo(4 * (e.windowSeconds as number), 6);
      expect((e.windowSeconds as number) * 1000).toBeGreaterThanOrEqual(run.measurement.wall?.durationMs as number);
      expect(run.energyNote).toBeUndefined();
      expect(run.power?.length).toBeGreaterThanOrEqual(2);
    });
  });
});

/** What good_classify's stand-in model answers for MIXED_SPECS[i] (lpcvmodel.classify). */
function expected(i: number): number[] {
  const img = syntheticInputs(MIXED_SPECS).image(i);
  const mean = img.data.reduce((a, b) => a + b, 0) / img.data.length;
  let colour = false;
  if (img.channels === 3) for (let p = 0; p < img.data.length; p += 3) if (img.data[p] !== img.data[p + 1]) colour = true;
  const best = colour ? 2 : mean < 85 ? 0 : 1;
  return [best, (best + 1) % 3];
}
