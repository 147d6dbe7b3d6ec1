/**
 * `lpcv evaluate --track T --split S`: the ground truth of a track's split, written by the task itself, so that
 * what `lpcv score --predictions` wrote for that split scores as `lpcv score` scored it (for detection, COCO would
 * count the other splits' images as missed against the whole annotations file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, lpcv } from '../testing/run-lpcv.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lpcv-evaluate-split-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('lpcv evaluate --track --split', () => {
  it.each([
    { track: 'fashion-det', task: 'detection', model: 'baselines/fashion-det/ssd_mobile.onnx', pred: 'det.json', metrics: ['map', 'map50'] },
    { track: 'fashion-mnist', task: 'classification', model: 'baselines/fashion-mnist/linear.onnx', pred: 'cls.txt', metrics: ['top1', 'top5'] },
  ])(
    "scores $track's --predictions of a split as lpcv score did",
    async ({ track, task, model, pred, metrics }) => {
      const out = path.join(tmp, pred);
      const s = await lpcv([
        'score',
        path.join(ROOT, model),
        '--track',
        track,
        '--split',
        'val',
        '--trials',
        '1',
        '--runs',
        '3',
        '--warmup',
        '1',
        '--json',
        '--no-robustness',
        '--predictions',
        out,
      ]);
      expect(s.stderr).toBe('');
      const scored = JSON.parse(s.stdout) as { accuracy: Record<string, number> };
      const e = await lpcv(['evaluate', '--task', task, '--track', track, '--split', 'val', '--pred', out, '--json']);
      expect(e.stderr).toBe('');
      const report = JSON.parse(e.stdout) as { accuracy: Record<string, number>; count: number };
      for (const m of metrics) expect(report.accuracy[m], m).toBe(scored.accuracy[m]);
    },
    60_000,
  );

  it('takes the ground truth from --gt or from --track and --split, not both and not neither, of the right task', async () => {
    const usage = async (args: string[]): Promise<string> => {
      const r = await lpcv(['evaluate', ...args]);
      expect(r.exitCode).toBe(2);
      return r.stderr;
    };
    expect(await usage(['--task', 'detection', '--pred', 'x.json'])).toMatch(/^lpcv: LPCV_E_USAGE: give the ground truth as --gt/);
    expect(await usage(['--task', 'detection', '--gt', 'a.json', '--track', 'fashion-det', '--split', 'val', '--pred', 'x.json'])).toMatch(/LPCV_E_USAGE/);
    expect(await usage(['--task', 'detection', '--split', 'val', '--pred', 'x.json'])).toMatch(/LPCV_E_USAGE: --split needs --track/);
    expect(await usage(['--task', 'segmentation', '--track', 'fashion-det', '--split', 'val', '--pred', 'x'])).toMatch(/is a detection track/);
    const unknown = await lpcv(['evaluate', '--task', 'detection', '--track', 'fashion-det', '--split', 'nope', '--pred', 'x.json']);
    expect(unknown.stderr).toMatch(/^lpcv: LPCV_E_SPLIT_UNKNOWN/);
  });
});
