import { describe, expect, it } from 'vitest';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';
import { ROBUST_COLUMN, robustnessColumns, robustnessValues } from './robustness-columns.js';
import { resultRecord } from './testing/results.js';

const fashion = resolveTrack('fashion-mnist');
const track: Track = {
  ...fashion,
  robustness: {
    of: 'test',
    seed: 1,
    profile: 'cifar-10-c',
    corruptions: [{ kind: 'gaussian-noise', severities: [1, 3] }],
    adversarial: [
      { name: 'fgsm', images: 'adv/fgsm' },
      { name: 'pgd', images: 'adv/pgd' },
    ],
  },
};

const withRobustness = (robustAccuracy: number | null, splits: Record<string, Record<string, number>>) => ({
  ...resultRecord('fashion-mnist', 'test', { top1: 0.9, p50: 0.2, score: 1 }),
  robustness: {
    metric: 'top1',
    splits,
    robustAccuracy,
    adversarial: { 'test~fgsm': { top1: 0.4, top5: 0.8 }, 'test~pgd': { top1: 0.25, top5: 0.7 } },
  },
});

describe('robust accuracy beside clean on the leaderboard', () => {
  it("has the corruption mean, then each adversarial set, for the track's robustness split only", () => {
    expect(robustnessColumns(track, 'test')).toEqual([ROBUST_COLUMN, 'test~fgsm', 'test~pgd']);
    expect(robustnessColumns(track, 'val')).toEqual([]);
    expect(robustnessColumns(fashion, 'test')).toEqual([]);
    expect(robustnessColumns({ ...track, robustness: { ...track.robustness!, corruptions: [] } }, 'test')).toEqual(['test~fgsm', 'test~pgd']);
  });

  it("gives the board's metric on each: the corruption mean taken again in that metric", () => {
    const r = withRobustness(0.7, { 'test~gaussian-noise-1': { top1: 0.8, top5: 0.95 }, 'test~gaussian-noise-3': { top1: 0.6, top5: 0.85 } });
    const columns = robustnessColumns(track, 'test');
    expect(robustnessValues(r, columns, 'top1')).toEqual({ robust: (0.8 + 0.6) / 2, 'test~fgsm': 0.4, 'test~pgd': 0.25 });
    expect(robustnessValues(r, columns, 'top5')).toEqual({ robust: (0.95 + 0.85) / 2, 'test~fgsm': 0.8, 'test~pgd': 0.7 });
  });

  it('is null where the run did not measure it: no robustness at all, a corrupted split missing, a set missing', () => {
    const columns = robustnessColumns(track, 'test');
    expect(robustnessValues(resultRecord('fashion-mnist', 'test', { top1: 0.9, p50: 0.2, score: 1 }), columns, 'top1')).toEqual({
      robust: null,
      'test~fgsm': null,
      'test~pgd': null,
    });
    const partial = withRobustness(null, { 'test~gaussian-noise-1': { top1: 0.8, top5: 0.95 } });
    expect(robustnessValues(partial, columns, 'top1').robust).toBeNull();
    expect(robustnessValues(partial, [...columns, 'test~other'], 'top1')['test~other']).toBeNull();
  });
});
