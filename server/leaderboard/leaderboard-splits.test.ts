/**
 * The track file's `leaderboard` settings: which splits the private and public boards use (server/http's
 * submissionSplit and publicLeaderboardSplit) and what the schema refuses.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';
import { trackSchema } from '../../harness/tracks/track-schema.js';
import { publicLeaderboardSplit, submissionSplit } from '../../harness/tracks/split-policy.js';

const fashion = resolveTrack('fashion-mnist');
const file = JSON.parse(readFileSync(fashion.file, 'utf8')) as Record<string, unknown>;
const issues = (leaderboard: unknown, splits?: Record<string, unknown>): string[] => {
  const parsed = trackSchema.safeParse({ ...file, ...(splits === undefined ? {} : { splits, defaultSplit: Object.keys(splits)[0] }), leaderboard });
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('leaderboard splits', () => {
  it('keeps a track without settings on its first hidden split, with no public board and the best entry', () => {
    expect(submissionSplit(fashion)).toBe('test');
    expect(publicLeaderboardSplit(fashion)).toBeNull();
    expect(trackSchema.parse({ ...file, leaderboard: {} }).leaderboard).toEqual({ entry: 'best' });
  });

  it('takes the declared splits, and skips the public split when it picks the private one by default', () => {
    const both: Track = { ...fashion, leaderboard: { entry: 'latest', publicSplit: 'val', privateSplit: 'test' } };
    expect([submissionSplit(both), publicLeaderboardSplit(both)]).toEqual(['test', 'val']);
    const splits = { a: { start: 0, count: 10, visibility: 'hidden' }, b: { start: 10, count: 10, visibility: 'hidden' } };
    const kaggle = {
      ...fashion,
      splits: trackSchema.parse({ ...file, splits, defaultSplit: 'a' }).splits,
      leaderboard: { entry: 'best' as const, publicSplit: 'a' },
    };
    expect(submissionSplit(kaggle)).toBe('b');
    expect(issues({ publicSplit: 'a' }, splits).filter((i) => i.startsWith('leaderboard'))).toEqual([]);
  });

  it('refuses splits it does not have, a public split that would also be the private one, and an unknown entry rule', () => {
    expect(issues({ publicSplit: 'nope' })).toEqual(['leaderboard.publicSplit: names no split (have val, test)']);
    expect(issues({ privateSplit: 'nope' })).toEqual(['leaderboard.privateSplit: names no split (have val, test)']);
    // One split only: the private split would default to the public one.
    const one = { a: { start: 0, count: 10, visibility: 'hidden' } };
    expect(issues({ publicSplit: 'a' }, one).filter((i) => i.startsWith('leaderboard'))).toEqual([
      'leaderboard.publicSplit: must differ from the private split (a); name the private one in leaderboard.privateSplit',
    ]);
    expect(issues({ publicSplit: 'val', privateSplit: 'val' })[0]).toMatch(/^leaderboard\.publicSplit: must differ from the private split \(val\)/);
    expect(issues({ entry: 'worst' })[0]).toMatch(/^leaderboard\.entry/);
  });
});
