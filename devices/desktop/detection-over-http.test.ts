/**
 * A detection model from upload to the leaderboard: a post-processed detector sent to POST /api/submissions on
 * a COCO track, leased by an agent whose desktop device measures it, scored against the hidden annotations with
 * the exact COCO code, ranked by its mAP. Real HTTP, a real SQLite file, real images, a real inference process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../harness/result-record.js';
import { loadTrackFile } from '../../harness/tracks/load-track.js';
import { sqliteTestDatabase } from '../../server/db/testing/databases.js';
import { useTestDatabase } from '../../server/db/testing/suite-hooks.js';
import { startAgentTestApi, type AgentTestApi } from '../../server/http/testing/agent-api-server.js';
import { runAgent } from '../agent/run-agent.js';
import { OnnxTarget } from './onnx-target.js';
import { fixedDetector, writeDetectionTrack } from './testing/detection-fixtures.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'lpcv-detection-http-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a detection model over HTTP', () => {
  const database = sqliteTestDatabase();
  let api: AgentTestApi;
  useTestDatabase(database, {
    async setUp() {
      const trackFile = await writeDetectionTrack(mkdtempSync(path.join(scratch, 'track-')));
      api = await startAgentTestApi(database, 'detection', loadTrackFile(trackFile));
    },
    tearDown: async () => api?.close(),
  });

  it('is measured by the desktop agent, scored with mAP and shown on the leaderboard by it', async () => {
    const form = new FormData();
    form.append('track', api.track.name);
    form.append('file', new Blob([fixedDetector([2, 2, 12, 12, 26, 26, 32, 32], [0.9, 0.8], [0, 1])]), 'detector.onnx');
    const res = await fetch(`${api.url}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${api.team.token}` } });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: string };

    const stop = new AbortController();
    const lines: string[] = [];
    const agent = runAgent({
      serverUrl: api.url,
      token: api.agentA.token,
      devices: [new OnnxTarget({ name: 'desk-detection' })],
      cacheDir: path.join(scratch, 'agent-cache'),
      signal: stop.signal,
      log: (l) => lines.push(l),
      pollMs: 20,
    });
    let body: { status: string; result?: ResultRecord; error?: { code: string; message: string } } = { status: 'queued' };
    try {
      const end = Date.now() + 90_000;
      while (Date.now() < end) {
        const got = await fetch(`${api.url}/api/submissions/${id}`, { headers: { authorization: `Bearer ${api.team.token}` } });
        body = (await got.json()) as typeof body;
        if (body.status === 'done' || body.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      stop.abort();
      await agent;
    }
    expect(body.status, `${JSON.stringify(body.error)}\nagent log:\n${lines.join('\n')}`).toBe('done');
    expect(body.result?.accuracy.map).toBeCloseTo(0.5, 12);
    expect(body.result?.accuracy.map50).toBeCloseTo(0.5, 12);

    const board = (await (await fetch(`${api.url}/api/leaderboard/${api.track.name}`)).json()) as {
      metric?: string;
      entries: { submissionId?: string; id?: string; accuracy?: number }[];
    };
    expect(board.metric).toBe('map');
    expect(board.entries).toHaveLength(1);
    expect(board.entries[0]!.accuracy).toBeCloseTo(0.5, 12);
    // The page names the metric as detection people do.
    const page = await (await fetch(`${api.url}/leaderboard/${api.track.name}`)).text();
    expect(page).toContain('mAP@[.50:.95], %');
    expect(page).toContain('50.0');
    expect(api.internalErrors).toEqual([]);
  }, 120_000);
});
