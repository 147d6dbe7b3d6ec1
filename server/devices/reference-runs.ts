/**
 * Reference runs (docs/devices.md, "Reference runs and drift"): every `referenceEveryMs`, each idle device
 * runs its kind's reference baseline once more, as a job pinned to it; the latency median of each run is
 * kept, and a device whose latest median strays from its first by `driftPct` or more is flagged drifted.
 *
 * A reference job is an extra job of the baseline's own submission (same `submission_id`, team `baseline`),
 * linked to its device by a `reference_runs` row. The submission's `job_id` stays the baseline's first job,
 * so the leaderboard, the status pages and the quotas never see reference jobs.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { ResultRecord } from '../../harness/result-record.js';
import type { Track } from '../../harness/tracks/track.js';
import { lockRows, withWriteTransaction, type Db } from '../db/index.js';
import { BASELINE_TEAM_NAME } from '../db/migrations/0005-leaderboard.js';
import { submissionSplit } from '../../harness/tracks/split-policy.js';
import { enqueueReferenceJob, unfinishedJobPinnedTo } from '../queue/index.js';
import type { DeviceHealthConfig } from './device-health-config.js';

/** A reference run is a health check: retried once after an infrastructure failure, not five times. */
const REFERENCE_MAX_ATTEMPTS = 2;

export interface ReferenceBaseline {
  readonly track: Track;
  readonly baseline: string;
}

/**
 * The reference baseline of a device kind: in track order, the first track of that kind whose reference is
 * designated (`referenceBaselines`, by track), or, when nothing is designated, the first track of that kind
 * with baselines, and its first baseline. Undefined: the kind has none.
 */
export function referenceBaselineFor(kind: string, tracks: readonly Track[], config: DeviceHealthConfig): ReferenceBaseline | undefined {
  for (const track of tracks) {
    if (track.target.kind !== kind) continue;
    if (config.referenceBaselines.size > 0) {
      const name = config.referenceBaselines.get(track.name);
      if (name !== undefined) return { track, baseline: name };
    } else if ((track.baselines ?? []).length > 0) {
      return { track, baseline: track.baselines![0]!.name };
    }
  }
  return undefined;
}

/** Refuses (LPCV_E_USAGE) a `--reference-baseline` that names no track of the server, or no baseline of it. */
export function checkReferenceBaselines(tracks: readonly Track[], config: DeviceHealthConfig): void {
  for (const [name, baseline] of config.referenceBaselines) {
    const track = tracks.find((t) => t.name === name);
    if (track === undefined)
      throw new LpcvError(
        'LPCV_E_USAGE',
        `--reference-baseline ${name}/${baseline}: the server has no track ${name} (tracks: ${tracks.map((t) => t.name).join(', ')})`,
      );
    const names = (track.baselines ?? []).map((b) => b.name);
    if (!names.includes(baseline))
      throw new LpcvError(
        'LPCV_E_USAGE',
        `--reference-baseline ${name}/${baseline}: ${track.file} lists no baseline ${baseline} (baselines: ${names.join(', ') || 'none'})`,
      );
  }
}

export interface QueuedReferenceRun {
  readonly deviceId: number;
  readonly deviceName: string;
  readonly jobId: number;
  readonly track: string;
  readonly baseline: string;
}

interface IdleDevice {
  id: number;
  name: string;
  kind: string;
}

/**
 * Queues a reference run for every idle, undrained device whose kind has a reference baseline that has
 * been submitted (`lpcv serve` seeds baselines), unless the device has one queued or running, or started
 * one less than `referenceEveryMs` ago. Each device is re-checked with its row locked, so two servers on
 * one database never queue two runs for one device. A no-op when reference runs are off.
 */
export async function queueReferenceRuns(db: Db, tracks: readonly Track[], config: DeviceHealthConfig, now: number): Promise<QueuedReferenceRun[]> {
  const everyMs = config.referenceEveryMs;
  if (everyMs === null) return [];
  const team = (await db('teams').where('name', BASELINE_TEAM_NAME).first('id')) as { id: number } | undefined;
  if (team === undefined) return [];
  const idle = (await db('devices').where('state', 'idle').whereNull('drained_at').orderBy('id').select('id', 'name', 'kind')) as IdleDevice[];
  const queued: QueuedReferenceRun[] = [];
  for (const device of idle) {
    const reference = referenceBaselineFor(device.kind, tracks, config);
    if (reference === undefined) continue;
    const { track, baseline } = reference;
    const submission = (await db('submissions')
      .where({ team_id: team.id, track: track.name, split: submissionSplit(track), baseline_name: baseline })
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .first('id', 'sha256', 'format')) as { id: string; sha256: string; format: string } | undefined;
    if (submission === undefined) continue;
    const run = await withWriteTransaction(db, async (tx) => {
      const still = await lockRows(tx('devices').where({ id: device.id, state: 'idle' }).whereNull('drained_at').select('id'), tx.dialect, 'wait').first();
      if (still === undefined) return undefined;
      // A reference job is exactly a job pinned to its device (enqueueReferenceJob, with its reference_runs row).
      if ((await unfinishedJobPinnedTo(tx, device.id)) !== undefined) return undefined;
      const [last] = (await tx('reference_runs').where('device_id', device.id).max({ at: 'created_at' })) as Array<{ at: number | string | null }>;
      if (last?.at != null && Number(last.at) > now - everyMs) return undefined;
      const job = await enqueueReferenceJob(
        tx,
        {
          submissionId: submission.id,
          team: String(team.id),
          track: track.name,
          targetKind: track.target.kind,
          artifactFormat: submission.format,
          maxAttempts: REFERENCE_MAX_ATTEMPTS,
          actor: 'reference-runs',
          pinnedDeviceId: device.id,
        },
        now,
      );
      await tx('reference_runs').insert({
        job_id: job.id,
        device_id: device.id,
        track: track.name,
        submission_id: submission.id,
        baseline_name: baseline,
        sha256: submission.sha256,
        created_at: now,
      });
      return { deviceId: device.id, deviceName: device.name, jobId: job.id, track: track.name, baseline };
    });
    if (run !== undefined) queued.push(run);
  }
  return queued;
}

/**
 * Keeps a reference run's latency median when its job completes: call it in the completion's transaction.
 * Does nothing for a job that is not a reference run.
 */
export async function recordReferenceResult(db: Db, jobId: number, record: ResultRecord, now: number): Promise<void> {
  const p50 = (record.latency as ResultRecord['latency'] | null)?.p50;
  await db('reference_runs')
    .where('job_id', jobId)
    .update({ latency_p50_ms: typeof p50 === 'number' && Number.isFinite(p50) ? p50 : null, finished_at: now });
}
