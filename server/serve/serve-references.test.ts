/**
 * startServer and the tracks' reference models: stored at every start, seeded baselines or not, served to
 * agents by sha256 and leased with the track's jobs; a baseline's job leased with `baselineTrials`; a
 * reference that cannot be stored stops the start. Real server, real SQLite file, real HTTP.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Track } from '../../harness/tracks/track.js';
import { parseAgentTrack, parseLeaseAnswer } from '../../harness/wire/index.js';
import { createAgent } from '../auth/index.js';
import { useTempDir } from '../db/testing/suite-hooks.js';
import { sampleBaselineFile, writeTestTrack } from '../http/testing/reference-tracks.js';
import { call } from '../http/testing/test-server.js';
import { startServer } from './start-server.js';

describe("startServer and the tracks' reference models", () => {
  const dir = useTempDir('lpcv-serve-references-');
  const resnet = readFileSync(sampleBaselineFile('resnet_s'));
  const sha256 = createHash('sha256').update(resnet).digest('hex');
  const served = (track: Track): ReadonlyMap<string, Track> => new Map([[track.name, track]]);

  it('serves the reference with --no-baselines, and leases a seeded baseline with the baseline trials and the reference', async () => {
    const track = writeTestTrack(dir(), { name: 'ref-track', kind: 'desktop', trials: 3, baselines: ['linear', 'resnet_s'], reference: 'resnet_s' });
    const dataDir = path.join(dir(), 'data');
    const lines: string[] = [];
    const base = { port: 0, dataDir, log: (l: string) => lines.push(l), env: {}, tracks: served(track) };
    let server = await startServer({ ...base, seedBaselines: false });
    let token: string;
    try {
      token = (await createAgent(server.db, 'ref-agent', server.now())).token;
      const res = await call(server, 'GET', `/api/artifacts/${sha256}`, token);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(resnet)).toBe(true);
      expect(lines).toContain('serve: reference model(s): ref-track/resnet_s');
      expect(await server.db('submissions').count({ n: '*' })).toEqual([{ n: 0 }]);
    } finally {
      await server.close();
    }

    server = await startServer({ ...base, seedBaselines: true, baselineTrials: 2 });
    try {
      const registered = await call(server, 'POST', '/api/agent/devices', token, { name: 'desk', kind: 'desktop' });
      const { deviceId } = (await registered.json()) as { deviceId: number };
      const res = await call(server, 'POST', '/api/agent/lease', token, { deviceId });
      expect(res.status).toBe(200);
      const lease = parseLeaseAnswer(await res.json());
      expect(lease.reference).toEqual({ name: 'resnet_s', url: `/api/artifacts/${sha256}`, sha256, bytes: resnet.length, format: 'onnx' });
      // A baseline of a track that asks for 3 trials runs the 2 the server was started with.
      expect(parseAgentTrack(lease.track).protocol.trials).toBe(2);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('stops the start with LPCV_E_TRACK_INVALID naming the track file and the model when the reference cannot be stored', async () => {
    const copy = path.join(dir(), 'mine.onnx');
    copyFileSync(sampleBaselineFile('resnet_s'), copy);
    const track = writeTestTrack(dir(), { name: 'gone-track', kind: 'desktop', trials: 1, baselines: [{ name: 'mine', file: copy }], reference: 'mine' });
    rmSync(copy);
    await expect(
      startServer({ port: 0, dataDir: path.join(dir(), 'data-2'), log: () => {}, env: {}, tracks: served(track), seedBaselines: false }),
    ).rejects.toMatchObject({
      code: 'LPCV_E_TRACK_INVALID',
      message: expect.stringContaining(`${track.file}: protocol.reference (mine): the reference model ${copy} cannot be stored`) as unknown,
    });
  });
});
