import { describe, expect, it } from 'vitest';
import { deviceDrift, type ReferenceResult } from './device-drift.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { DEFAULT_DRIFT_PCT, DEFAULT_OFFLINE_AFTER_MS, deviceHealthConfig } from './device-health-config.js';
import { checkReferenceBaselines, referenceBaselineFor } from './reference-runs.js';

describe('deviceHealthConfig', () => {
  it('fills in the defaults: offline after 120 s, reference runs off, drift at 10%', () => {
    expect(deviceHealthConfig()).toEqual({
      offlineAfterMs: DEFAULT_OFFLINE_AFTER_MS,
      referenceEveryMs: null,
      referenceBaselines: new Map(),
      driftPct: DEFAULT_DRIFT_PCT,
    });
    expect([DEFAULT_OFFLINE_AFTER_MS, DEFAULT_DRIFT_PCT]).toEqual([120_000, 10]);
  });

  it('reads TRACK/BASELINE designations and refuses bad settings naming the option', () => {
    expect(deviceHealthConfig({ referenceBaselines: ['fashion-mnist/mlp'] }).referenceBaselines).toEqual(new Map([['fashion-mnist', 'mlp']]));
    const refused = (s: Parameters<typeof deviceHealthConfig>[0]): string => {
      try {
        deviceHealthConfig(s);
      } catch (e) {
        return `${(e as { code: string }).code}: ${(e as Error).message}`;
      }
      return 'accepted';
    };
    expect(refused({ offlineAfterMs: 0 })).toMatch(/^LPCV_E_USAGE: --offline-after-ms/);
    expect(refused({ referenceEveryMs: -60_000 })).toMatch(/^LPCV_E_USAGE: --reference-every-min/);
    expect(refused({ driftPct: 0 })).toMatch(/^LPCV_E_USAGE: --drift-pct/);
    expect(refused({ referenceBaselines: ['mlp'] })).toMatch(/^LPCV_E_USAGE: --reference-baseline takes TRACK\/BASELINE/);
    expect(refused({ referenceBaselines: ['a/x', 'a/y'] })).toMatch(/names track a twice/);
  });
});

describe('deviceDrift', () => {
  const run = (p50Ms: number, at: number, sha256 = 'a'): ReferenceResult => ({ track: 't', baseline: 'b', sha256, p50Ms, finishedAt: at });

  it('compares the latest median with the first of the same model, flagging at the threshold and not below', () => {
    expect(deviceDrift([], 10)).toBeUndefined();
    expect(deviceDrift([run(10, 1)], 10)).toMatchObject({ referenceP50Ms: 10, latestP50Ms: 10, changePct: 0, drifted: false, runs: 1 });
    expect(deviceDrift([run(10, 1), run(12, 2), run(10.9, 3)], 10)).toMatchObject({ referenceP50Ms: 10, latestP50Ms: 10.9, drifted: false, runs: 3 });
    expect(deviceDrift([run(10, 1), run(11, 2)], 10)?.drifted).toBe(true);
    expect(deviceDrift([run(10, 1), run(9, 2)], 10)).toMatchObject({ changePct: -10, drifted: true });
    // 0.3 ms against 0.1 x 3: the percentage in floating point is 9.999...; the comparison must not be.
    expect(deviceDrift([run(3, 1), run(3.3, 2)], 10)?.drifted).toBe(true);
  });

  it('starts a new reference point when the baseline file changed', () => {
    expect(deviceDrift([run(10, 1, 'old'), run(20, 2, 'new'), run(21, 3, 'new')], 10)).toMatchObject({
      referenceP50Ms: 20,
      latestP50Ms: 21,
      drifted: false,
      runs: 2,
    });
  });
});

describe('reference baselines', () => {
  const fashion = resolveTrack('fashion-mnist');

  it("is each track's first baseline unless designated, and only the designated tracks then", () => {
    expect(referenceBaselineFor('desktop', [fashion], deviceHealthConfig())).toEqual({ track: fashion, baseline: fashion.baselines![0]!.name });
    expect(referenceBaselineFor('desktop', [fashion], deviceHealthConfig({ referenceBaselines: ['fashion-mnist/mlp'] }))?.baseline).toBe('mlp');
    expect(referenceBaselineFor('android', [fashion], deviceHealthConfig())).toBeUndefined();
    expect(referenceBaselineFor('desktop', [fashion], deviceHealthConfig({ referenceBaselines: ['other/x'] }))).toBeUndefined();
  });

  it('refuses a designation naming no track or no baseline of it', () => {
    expect(() => checkReferenceBaselines([fashion], deviceHealthConfig({ referenceBaselines: ['fashion-mnist/mlp'] }))).not.toThrow();
    expect(() => checkReferenceBaselines([fashion], deviceHealthConfig({ referenceBaselines: ['nope/mlp'] }))).toThrow(/no track nope/);
    expect(() => checkReferenceBaselines([fashion], deviceHealthConfig({ referenceBaselines: ['fashion-mnist/nope'] }))).toThrow(/lists no baseline nope/);
  });
});
