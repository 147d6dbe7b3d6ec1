/**
 * `lpcv serve` as `npm start` runs it (no options but the port and the data folder): the sample tracks'
 * baselines are queued on the first start, classification's first, measured by the local agent, and the
 * classification ones appear on the leaderboard with the hidden-split accuracy PyTorch recorded for them; a
 * second start queues nothing again.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listBuiltinTracks, resolveTrack } from '../../harness/tracks/load-track.js';
import { openDatabase } from '../db/index.js';
import { useTempDir } from '../db/testing/suite-hooks.js';
import type { Leaderboard } from '../leaderboard/index.js';
import { startServeProcess } from './testing/serve-process.js';

const BASELINES = fileURLToPath(new URL('../../baselines/fashion-mnist/baselines.json', import.meta.url));

interface BaselineFacts {
  name: string;
  test: { correct: number; count: number };
}

describe('lpcv serve with its defaults', () => {
  const dir = useTempDir('lpcv-serve-baselines-');

  it('queues the baselines once, measures them, and shows them on the leaderboard with the recorded accuracy', async () => {
    const recorded = new Map((JSON.parse(readFileSync(BASELINES, 'utf8')) as { models: BaselineFacts[] }).models.map((m) => [m.name, m.test]));
    const tracks = listBuiltinTracks().map((name) => resolveTrack(name));
    const total = tracks.reduce((n, t) => n + (t.baselines?.length ?? 0), 0);
    const server = await startServeProcess(dir(), []);
    let firstName: string;
    try {
      await server.waitForLog(new RegExp(`queued ${total} baseline\\(s\\)`), 5_000);
      // The first baseline's measurement ends a few seconds after the start.
      const deadline = Date.now() + 120_000;
      let board: Leaderboard;
      do {
        await new Promise((r) => setTimeout(r, 250));
        board = (await (await fetch(`${server.url}/api/leaderboard/fashion-mnist`)).json()) as Leaderboard;
      } while (board.entries.length === 0 && Date.now() < deadline);
      expect(board.entries.length, server.stderr()).toBeGreaterThan(0);
      const first = board.entries[0]!;
      firstName = first.baseline!;
      expect(first).toMatchObject({ team: 'baseline', rank: null, qualified: true });
      const facts = recorded.get(firstName)!;
      expect(first.accuracy).toBe(facts.correct / facts.count);
    } finally {
      const code = await server.stop();
      expect(code, `lpcv serve's exit; its stderr:\n${server.stderr()}`).toBe(0);
    }

    const again = await startServeProcess(dir(), ['--no-local-agent']);
    try {
      expect(again.stderr()).not.toMatch(/queued \d+ baseline/);
    } finally {
      await again.stop();
    }
    const db = await openDatabase({ client: 'sqlite', filename: path.join(dir(), 'lpcv.sqlite') });
    try {
      const rows = (await db('submissions')
        .whereNotNull('baseline_name')
        .where('track', 'fashion-mnist')
        .orderBy('baseline_name')
        .pluck('baseline_name')) as string[];
      expect(rows).toEqual(['cnn_small', 'cnn_wide', 'hardnet_s', 'linear', 'mlp', 'resnet_s']);
      expect(rows).toContain(firstName);
      // Classification first: the jobs in queue order are the classification tracks' baselines, then the others'.
      const queued = (await db('jobs').orderBy('id').pluck('track')) as string[];
      expect(queued).toHaveLength(total);
      const taskOf = new Map(tracks.map((t) => [t.name, t.task]));
      const firstOther = queued.findIndex((t) => taskOf.get(t) !== 'classification');
      expect(queued.slice(0, 6)).toEqual(Array(6).fill('fashion-mnist'));
      expect(queued.slice(firstOther).every((t) => taskOf.get(t) !== 'classification')).toBe(true);
    } finally {
      await db.destroy();
    }
  }, 240_000);
});
