/**
 * For the re-scoring tests (not used by the server): the test server (server/http/testing/test-server.ts)
 * with the agent API and admin access, and two tracks: fashion-mnist as its file is (private split only) but scored
 * by the mean latency (the stand-in runs below pair no reference, so they have no calibrated latency), and
 * `fashion-public`, the same track with a public leaderboard split (val) beside the private one (test).
 * Results get there the real way: an agent leases each job and completes it over HTTP with a completion
 * of the real shape whose predictions are chosen to be right on a chosen number of images; the server
 * scores it with its labels and stores the raw completion that a re-score reads.
 */
import { loadLabels } from '../../../harness/datasets/open-split.js';
import type { Track } from '../../../harness/tracks/track.js';
import { fixtureBytes } from '../../../test/testing/onnx-fixtures.js';
import { sampleTrackScoredByMean } from '../../../test/testing/sample-track.js';
import { createAgent, createTeam, type CreatedOwner } from '../../auth/index.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { call, startTestServer, T0, type TestServer } from '../../http/testing/test-server.js';

export interface RescoreTestApi extends TestServer {
  readonly agent: CreatedOwner;
  team(name: string): Promise<CreatedOwner>;
}

export function publicTrack(): Track {
  const fashion = sampleTrackScoredByMean();
  return {
    ...fashion,
    name: 'fashion-public',
    title: 'Fashion-MNIST with a public leaderboard',
    leaderboard: { entry: 'best', publicSplit: 'val', privateSplit: 'test' },
  };
}

export async function startRescoreTestApi(database: TestDatabase): Promise<RescoreTestApi> {
  const server = await startTestServer({ database, tracks: [sampleTrackScoredByMean(), publicTrack()], quota: { perDay: 0 }, agentApi: true, admin: true });
  return {
    ...server,
    agent: await createAgent(server.db, 'rescore-agent', T0),
    team: (name) => createTeam(server.db, name, T0),
  };
}

/** Uploads tiny-conv.onnx as this team; answers the submission id. */
export async function submitAs(api: { url: string }, team: CreatedOwner, track: string, description: string): Promise<string> {
  const form = new FormData();
  form.append('track', track);
  form.append('description', description);
  form.append('file', new Blob([fixtureBytes('tiny-conv.onnx')]), 'tiny-conv.onnx');
  const res = await fetch(`${api.url}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${team.token}` } });
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** What one run reports: right on the first `correct` images of the split; these latency samples. */
export interface ChosenRun {
  readonly correct: number;
  /** Per-image latency samples, ms. */
  readonly latencyMs: readonly number[];
}

/** `n` samples spread evenly over [mean*(1-spread), mean*(1+spread)]: their median is `mean`. */
export function samplesAround(mean: number, n = 301, spread = 0.05): number[] {
  return Array.from({ length: n }, (_, i) => mean * (1 - spread + (2 * spread * i) / (n - 1)));
}

/**
 * Registers a device, then leases every queued job and completes it over HTTP with the run chosen for
 * (submission, split); answers how many were completed. A job without a choice is an error.
 */
export async function completeQueuedJobs(api: RescoreTestApi, choose: (submission: string, split: string) => ChosenRun): Promise<number> {
  const dev = await call(api, 'POST', '/api/agent/devices', api.agent.token, { name: 'rescore-desk', kind: 'desktop', capabilities: { threads: 1 } });
  const { deviceId } = (await dev.json()) as { deviceId: number };
  let completed = 0;
  for (;;) {
    const res = await call(api, 'POST', '/api/agent/lease', api.agent.token, { deviceId });
    if (res.status === 204) return completed;
    if (res.status !== 200) throw new Error(`lease answered ${res.status}: ${await res.text()}`);
    const lease = (await res.json()) as { job: { id: number; submissionId: string; track: string; split: string; leaseToken: string } };
    const track = api.tracks.get(lease.job.track)!;
    const labels = await loadLabels(track, lease.job.split);
    if (labels.task !== 'classification') throw new Error('classification only');
    const run = choose(lease.job.submissionId, lease.job.split);
    const topk = labels.labels.map((label, i) => [i < run.correct ? label : (label + 1) % 10]);
    const done = await call(api, 'POST', `/api/agent/jobs/${lease.job.id}/complete`, api.agent.token, {
      leaseToken: lease.job.leaseToken,
      measurement: {
        predictions: { kind: 'topk', ids: labels.ids, topk },
        runtime: 'stand-in 1.0',
        threads: 1,
        protocol: { warmupRuns: 1, minRuns: 1, minDurationMs: 0, maxRuns: 100_000 },
        latencyMs: run.latencyMs,
        warmupMs: [run.latencyMs[0]!],
        preprocessMs: [],
      },
      target: { kind: 'desktop', device: 'rescore-desk', runtime: 'stand-in 1.0', threads: 1, os: 'linux', cpu: 'test cpu' },
      energy: null,
      energyNote: 'no power sensor on this target',
      startedAt: '2027-01-15T08:00:00.000Z',
      finishedAt: '2027-01-15T08:00:09.000Z',
    });
    const answer = (await done.json()) as { status: string };
    if (done.status !== 200 || answer.status !== 'done') throw new Error(`complete answered ${done.status}: ${JSON.stringify(answer)}`);
    completed++;
  }
}
