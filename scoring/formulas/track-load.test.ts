/** A track file whose score formula is bad fails when it loads, naming the file and the key. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { loadTrackFile } from '../../harness/tracks/load-track.js';
import { sampleTrackJson } from '../../test/testing/sample-track.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lpcv-formula-track-'));
const sample: Record<string, unknown> = sampleTrackJson();

function trackWith(score: unknown): string {
  const file = path.join(dir, `track-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ ...sample, dataset: { format: 'idx', images: 'i.gz', labels: 'l.gz' }, score }));
  return file;
}

describe('a track file names a usable formula', () => {
  it('loads with a valid expression', () => {
    const t = loadTrackFile(trackWith({ formula: 'expression', params: { expr: 'top1 / latency_s' } }));
    expect(t.score.params.expr).toBe('top1 / latency_s');
  });

  it('fails at load on an expression that does not parse, naming the file, the key and the column', () => {
    const file = trackWith({ formula: 'expression', params: { expr: 'relu(map - 0.2) * fps / energy_joules' } });
    const e = errorOf(() => loadTrackFile(file));
    expect(e.code).toBe('LPCV_E_TRACK_INVALID');
    expect(e.message).toMatch(/^\/.*track-\w+\.json: score\.params\.expr: expression: column 25: unknown measure 'energy_joules' \(measures: accuracy, /);
    expect(e.message.startsWith(`${file}: `)).toBe(true);
    expect(e.detail).toMatchObject({ issues: [{ key: 'score.params.expr', code: 'LPCV_E_EXPRESSION_INVALID' }] });
  });

  it('fails at load on an unknown formula or version, an unknown parameter, a bad choice or a missing required parameter', () => {
    expect(errorOf(() => loadTrackFile(trackWith({ formula: 'lpcv2099', params: {} }))).message).toMatch(/: score\.formula: no score formula named 'lpcv2099'/);
    expect(errorOf(() => loadTrackFile(trackWith({ formula: 'lpirc', version: 2, params: {} }))).message).toMatch(/: score\.version: .*no version 2/);
    expect(errorOf(() => loadTrackFile(trackWith({ formula: 'ovic', params: { budget: 30 } }))).message).toMatch(
      /: score\.params\.budget: ovic v1 has no parameter 'budget'/,
    );
    expect(errorOf(() => loadTrackFile(trackWith({ formula: 'lpcv2020-fpga', params: { time: 'cpu' } }))).message).toMatch(
      /: score\.params\.time: .*one of auto, wall, latency/,
    );
    expect(errorOf(() => loadTrackFile(trackWith({ formula: 'lpcv2025', params: {} }))).message).toMatch(
      /: score\.params\.cutoffMs: .*needs parameter 'cutoffMs'/,
    );
    expect(errorOf(() => loadTrackFile(trackWith({ formula: 'lpcv2023-seg', params: { qualify: 'beat-sample', sampleAccuracy: 0.5 } }))).message).toMatch(
      /: score\.params\.sampleSeconds:/,
    );
  });
});
