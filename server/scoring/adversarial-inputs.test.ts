import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { OnnxTarget } from '../../devices/desktop/onnx-target.js';
import { openInputPack } from '../../harness/datasets/input-pack/read-input-pack.js';
import { loadLabels, openInputs } from '../../harness/datasets/open-split.js';
import type { InputSet } from '../../harness/datasets/types.js';
import { BUILTIN_TRACKS_DIR, loadTrackFile } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';
import { encodeCompletion, parseAgentTrack, parseCompletion, trackForAgents } from '../../harness/wire/index.js';
import { sqliteTestDatabase } from '../db/testing/databases.js';
import { useTestDatabase } from '../db/testing/suite-hooks.js';
import { startAgentTestApi, type AgentTestApi } from '../http/testing/agent-api-server.js';
import { InputPackCache } from './input-pack-cache.js';
import { scoreCompletion } from '../../harness/score/score-completion.js';

/**
 * Adversarial sets on the server path: the server packs a track's adversarial images (data it holds, like
 * the clean inputs, never labels), the lease names the pack, the agent's desktop target runs an accuracy
 * pass over it, and the server scores its predictions with the clean split's hidden labels.
 */
const sampleDir = path.join(BUILTIN_TRACKS_DIR, 'fashion-mnist');
const sample = JSON.parse(readFileSync(path.join(sampleDir, 'track.json'), 'utf8')) as Record<string, unknown>;
const COUNT = 24;
const model = path.join(BUILTIN_TRACKS_DIR, '../baselines/fashion-mnist/cnn_small.onnx');
const modelRef = { path: 'cnn_small.onnx', sha256: '0'.repeat(64), bytes: statSync(model).size, format: 'onnx' as const };

/** A track with a hidden split of COUNT images and an adversarial set: the same images, inverted, as PNG files. */
async function adversarialTrack(): Promise<Track> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lpcv-adversarial-'));
  const ds = sample.dataset as { images: string; labels: string };
  const { baselines: _b, ...rest } = sample;
  const file = path.join(dir, 'track.json');
  const body = {
    ...rest,
    dataset: { format: 'idx', images: path.join(sampleDir, ds.images), labels: path.join(sampleDir, ds.labels) },
    splits: { hidden: { start: 7000, count: COUNT, visibility: 'hidden' } },
    defaultSplit: 'hidden',
    protocol: { warmupRuns: 1, minRuns: 3, minDurationMs: 0, maxRuns: 3, threads: 1 },
    robustness: { of: 'hidden', seed: 3, corruptions: [{ kind: 'contrast', severities: [5] }], adversarial: [{ name: 'inverted', images: 'inverted' }] },
  };
  writeFileSync(file, JSON.stringify(body));
  const track = loadTrackFile(file);
  const clean = await openInputs(track, 'hidden');
  mkdirSync(path.join(dir, 'inverted'));
  for (let i = 0; i < clean.ids.length; i++) {
    const img = await clean.read(i);
    const inverted = Buffer.from(img.data.map((v) => 255 - v));
    await sharp(inverted, { raw: { width: img.width, height: img.height, channels: img.channels } })
      .toColourspace(img.channels === 1 ? 'b-w' : 'srgb')
      .png()
      .toFile(path.join(dir, 'inverted', `${img.id}.png`));
  }
  return track;
}

describe('adversarial sets shipped to agents', () => {
  let track: Track;
  beforeAll(async () => void (track = await adversarialTrack()), 60_000);

  it('the server packs an adversarial set with the clean ids, and refuses names the track does not declare', async () => {
    const cache = new InputPackCache(mkdtempSync(path.join(os.tmpdir(), 'lpcv-adv-packs-')));
    const pack = await cache.get(track, 'hidden~inverted');
    const opened = await openInputPack(pack.file, { expectSha256: pack.sha256 });
    try {
      const clean = await openInputs(track, 'hidden');
      expect(opened.ids).toEqual(clean.ids);
      const [a, c] = [await opened.read(5), await clean.read(5)];
      expect(Array.from(a.data.slice(0, 50))).toEqual(Array.from(c.data.slice(0, 50)).map((v) => 255 - v));
    } finally {
      await opened.close();
    }
    expect((await rejectionOf(cache.get(track, 'hidden~nope'))).code).toBe('LPCV_E_SPLIT_UNKNOWN');
    expect((await rejectionOf(cache.get(track, '../hidden~inverted'))).code).toBe('LPCV_E_SPLIT_UNKNOWN');
  });

  it('the desktop target runs the shipped set, and the server scores it with the hidden labels', async () => {
    const cache = new InputPackCache(mkdtempSync(path.join(os.tmpdir(), 'lpcv-adv-packs-')));
    const pack = await openInputPack((await cache.get(track, 'hidden~inverted')).file);
    const agentDir = mkdtempSync(path.join(os.tmpdir(), 'lpcv-adv-agent-'));
    try {
      const run = await new OnnxTarget({ name: 'adv-desktop' }).run({
        jobId: 1,
        track: parseAgentTrack(JSON.parse(JSON.stringify(trackForAgents(track)))),
        split: 'hidden',
        artifact: { file: model, ...modelRef },
        inputs: await openInputs(track, 'hidden'),
        adversarialInputs: { 'hidden~inverted': pack },
        signal: new AbortController().signal,
        log: () => undefined,
        onProgress: () => undefined,
        workDir: agentDir,
      });
      expect(Object.keys(run.measurement.robustness ?? {}).sort()).toEqual(['hidden~contrast-5', 'hidden~inverted']);
      expect(run.measurement.robustnessSkipped ?? {}).toEqual({});
      const body = JSON.parse(JSON.stringify(encodeCompletion(run, { startedAt: new Date().toISOString(), finishedAt: new Date().toISOString() }))) as unknown;
      const { completion } = parseCompletion(body);
      const labels = await loadLabels(track, 'hidden');
      const record = await scoreCompletion({ track, split: 'hidden', model: modelRef, completion, labels });
      const preds = completion.measurement.robustness!['hidden~inverted']!;
      if (preds.kind !== 'topk' || labels.task !== 'classification') throw new Error('classification expected');
      const byHand = preds.topk.filter((t, i) => t[0] === labels.labels[i]).length / COUNT;
      expect(record.robustness?.adversarial).toMatchObject({ 'hidden~inverted': { top1: byHand } });
      expect(record.robustness?.notMeasured ?? {}).toEqual({});
    } finally {
      await pack.close();
    }
  }, 120_000);

  it("a shipped set whose ids are not the clean split's is refused", async () => {
    const cache = new InputPackCache(mkdtempSync(path.join(os.tmpdir(), 'lpcv-adv-packs-')));
    const pack = await openInputPack((await cache.get(track, 'hidden~inverted')).file);
    const shuffled: InputSet = { ids: [...pack.ids].reverse(), read: (i) => pack.read(i) };
    const agentDir = mkdtempSync(path.join(os.tmpdir(), 'lpcv-adv-agent-'));
    try {
      const e = await rejectionOf(
        new OnnxTarget({ name: 'adv-desktop' }).run({
          jobId: 2,
          track: parseAgentTrack(JSON.parse(JSON.stringify(trackForAgents(track)))),
          split: 'hidden',
          artifact: { file: model, ...modelRef },
          inputs: await openInputs(track, 'hidden'),
          adversarialInputs: { 'hidden~inverted': shuffled },
          signal: new AbortController().signal,
          log: () => undefined,
          onProgress: () => undefined,
          workDir: agentDir,
        }),
      );
      expect(e.code).toBe('LPCV_E_INPUT_PACK_INVALID');
    } finally {
      await pack.close();
    }
  }, 120_000);

  describe('the lease names the pack', () => {
    const database = sqliteTestDatabase();
    let api: AgentTestApi;
    useTestDatabase(database, {
      setUp: async () => void (api = await startAgentTestApi(database, 'adversarial', track)),
      tearDown: async () => api?.close(),
    });

    it('and the agent downloads exactly those bytes', async () => {
      const form = new FormData();
      form.append('track', track.name);
      form.append('file', new Blob([fixtureBytes('tiny-conv.onnx')]), 'm.onnx');
      const auth = (token: string) => ({ authorization: `Bearer ${token}` });
      expect((await fetch(`${api.url}/api/submissions`, { method: 'POST', body: form, headers: auth(api.team.token) })).status).toBe(201);
      const post = async (route: string, body: unknown) =>
        (
          await fetch(`${api.url}${route}`, {
            method: 'POST',
            headers: { ...auth(api.agentA.token), 'content-type': 'application/json' },
            body: JSON.stringify(body),
          })
        ).json() as Promise<Record<string, unknown>>;
      const { deviceId } = (await post('/api/agent/devices', { name: 'adv', kind: 'desktop' })) as { deviceId: number };
      const lease = (await post('/api/agent/lease', { deviceId, leaseMs: 60_000 })) as {
        robustnessInputs?: Array<{ split: string; url: string; sha256: string; count: number }>;
      };
      expect(lease.robustnessInputs).toHaveLength(1);
      const r = lease.robustnessInputs![0]!;
      expect(r).toMatchObject({ split: 'hidden~inverted', url: `/api/inputs/${track.name}/hidden~inverted`, count: COUNT });
      const bytes = Buffer.from(await (await fetch(`${api.url}${r.url}`, { headers: auth(api.agentA.token) })).arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(r.sha256);
    });
  });
});
