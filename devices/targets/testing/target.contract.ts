/**
 * The contract every target driver passes (docs/architecture.md: one behavioural suite run against every
 * implementation). A driver's test calls runTargetContract with a fixture that can build the target and a
 * job it can run; the suite checks what the agent and the server rely on: a probe that describes the
 * device, predictions for every input in order, latency samples that are finite, energy that is either a
 * measured record or null with a reason, progress in [0, 1], the submission's fault told from ours, and a
 * run that stops when its signal aborts.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LpcvError } from '../../../errors/lpcv-error.js';
import type { InputSet } from '../../../harness/datasets/types.js';
import type { Track } from '../../../harness/tracks/track.js';
import type { Target, TargetJob, TargetProgress } from '../target.js';

/** A job for the contract: everything a TargetJob has except what the suite supplies itself. */
export interface ContractJob {
  readonly track: Track;
  readonly split: string;
  readonly artifact: TargetJob['artifact'];
  readonly inputs: InputSet;
}

export interface TargetContractFixture {
  /** A fresh target (closed by the suite when it has close()). */
  makeTarget(): Promise<Target>;
  /** A job the target runs to the end. */
  goodJob(): Promise<ContractJob>;
  /** A job that fails by the submission's fault (a crash, a bad output), when the driver can express one. */
  failingJob?(): Promise<ContractJob>;
  /** A job that runs for several seconds unless aborted (the suite aborts it 300 ms in). */
  slowJob?(): Promise<ContractJob>;
  /** Per-test timeout (default 120 s: real processes on a shared machine). */
  readonly timeoutMs?: number;
  /** A reason to skip the whole suite (a Debian tool missing and not required). */
  readonly skip?: string;
}

export function runTargetContract(name: string, fixture: TargetContractFixture): void {
  const timeout = fixture.timeoutMs ?? 120_000;
  const suite = fixture.skip === undefined ? describe : describe.skip;
  suite(`target contract: ${name}`, () => {
    let target: Target;
    let scratch: string;
    beforeAll(async () => {
      target = await fixture.makeTarget();
      scratch = await mkdtemp(path.join(os.tmpdir(), 'lpcv-target-contract-'));
    }, timeout);
    afterAll(async () => {
      await target?.close?.();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    let jobs = 0;
    const toJob = async (j: ContractJob, signal: AbortSignal, progress: TargetProgress[] = []): Promise<TargetJob> => {
      jobs += 1;
      const workDir = path.join(scratch, `job-${jobs}`);
      await mkdir(workDir, { recursive: true });
      return {
        jobId: jobs,
        track: j.track,
        split: j.split,
        artifact: j.artifact,
        inputs: j.inputs,
        signal,
        log: () => {},
        onProgress: (p) => progress.push(p),
        workDir,
      };
    };

    it(
      'describes itself: a kind, the formats it runs, JSON capabilities, and a probe that names the device',
      async () => {
        expect(target.name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/);
        expect(target.kind.length).toBeGreaterThan(0);
        expect(target.formats.length).toBeGreaterThan(0);
        const caps = target.capabilities();
        expect(JSON.parse(JSON.stringify(caps))).toEqual(caps);
        const info = await target.probe();
        expect(info.kind).toBe(target.kind);
        expect(info.device.length).toBeGreaterThan(0);
        expect(info.runtime.length).toBeGreaterThan(0);
        expect(info.threads).toBeGreaterThanOrEqual(1);
      },
      timeout,
    );

    it(
      'runs a job: predictions for every input in order, finite latency samples, energy measured or null with a reason',
      async () => {
        const j = await fixture.goodJob();
        const progress: TargetProgress[] = [];
        const run = await target.run(await toJob(j, new AbortController().signal, progress));
        const m = run.measurement;
        expect(m.predictions.ids).toEqual(j.inputs.ids);
        const p = m.predictions;
        const rows = p.kind === 'topk' ? p.topk : p.kind === 'detections' ? p.detections : p.maps;
        expect(rows).toHaveLength(j.inputs.ids.length);
        expect(m.latencyMs.length).toBeGreaterThan(0);
        expect(m.latencyMs.every((ms) => Number.isFinite(ms) && ms >= 0)).toBe(true);
        expect(m.runtime.length).toBeGreaterThan(0);
        expect(m.protocol.minRuns).toBeGreaterThanOrEqual(1);
        if (m.wall) {
          expect(m.wall.images).toBe(j.inputs.ids.length);
          expect(m.wall.durationMs).toBeGreaterThan(0);
        }
        if (m.targetReport) expect(JSON.stringify(m.targetReport).length).toBeLessThanOrEqual(65_536);
        expect(run.target.kind).toBe(target.kind);
        if (run.energy === null) {
          expect(run.energyNote, 'energy null needs a note saying why').toMatch(/\S/);
        } else {
          expect(Number.isFinite(run.energy.joules) && run.energy.joules >= 0).toBe(true);
          expect(run.energy.sampleCount).toBeGreaterThanOrEqual(1);
          expect(run.energy.source.length).toBeGreaterThan(0);
          expect(run.power?.length ?? 0).toBeGreaterThanOrEqual(run.energy.sampleCount);
        }
        for (const p of progress) expect(p.fraction >= 0 && p.fraction <= 1, `progress ${p.phase} ${p.fraction}`).toBe(true);
      },
      timeout,
    );

    const failing = fixture.failingJob;
    it.skipIf(failing === undefined)(
      "tells the submission's fault from the infrastructure's",
      async () => {
        const j = await failing!();
        const e = await target.run(await toJob(j, new AbortController().signal)).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(e).toBeInstanceOf(LpcvError);
        expect((e as LpcvError).fault).toBe('submission');
      },
      timeout,
    );

    const slow = fixture.slowJob;
    it.skipIf(slow === undefined)(
      'stops a run when its signal aborts (LPCV_E_RUN_CANCELLED), and runs the next job after it',
      async () => {
        const j = await slow!();
        const abort = new AbortController();
        const running = target.run(await toJob(j, abort.signal));
        setTimeout(() => abort.abort(), 300);
        const e = await running.then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(e).toBeInstanceOf(LpcvError);
        expect((e as LpcvError).code).toBe('LPCV_E_RUN_CANCELLED');
        const again = await target.run(await toJob(await fixture.goodJob(), new AbortController().signal));
        expect(again.measurement.predictions.ids.length).toBeGreaterThan(0);
      },
      timeout,
    );
  });
}
