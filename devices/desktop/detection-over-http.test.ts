/**
 * A detection model from upload to the leaderboard: a post-processed detector sent to POST /api/submissions on
 * a COCO track, leased by an agent whose desktop device measures it, scored against the hidden annotations with
 * the exact COCO code, ranked by its mAP. Real HTTP, a real SQLite file, real images, a real inference process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrackFile } from '../../harness/tracks/load-track.js';
import { sqliteTestDatabase } from '../../server/db/testing/databases.js';
import { useTestDatabase } from '../../server/db/testing/suite-hooks.js';
import { startAgentTestApi, type AgentTestApi } from '../../server/http/testing/agent-api-server.js';
import { submitAndMeasure } from '../agent/testing/submit-and-measure.js';
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
    const body = await submitAndMeasure(
      api,
      { bytes: fixedDetector([2, 2, 12, 12, 26, 26, 32, 32], [0.9, 0.8], [0, 1]), name: 'detector.onnx' },
      new OnnxTarget({ name: 'desk-detection' }),
      path.join(scratch, 'agent-cache'),
    );
    expect(body.status, `${JSON.stringify(body.error)}\nagent log:\n${body.log}`).toBe('done');
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
