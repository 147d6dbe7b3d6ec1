import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { acceptSubmission } from '../../submissions/intake/accept-submission.js';
import { ArtifactStore } from '../../submissions/store/artifact-store.js';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { makeTrack } from '../../test/testing/write-images.js';
import type { Db } from '../db/index.js';
import { sqliteTestDatabase } from '../db/testing/databases.js';
import { useTempDir, useTestDatabase } from '../db/testing/suite-hooks.js';
import { sampleBaselineFile, writeTestTrack } from '../http/testing/reference-tracks.js';
import { storeReferenceModels } from './reference-models.js';

const sha256Of = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

async function rejection(p: Promise<unknown>): Promise<LpcvError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof LpcvError)) throw new Error(`expected an LpcvError, got ${String(e)}`);
  return e;
}

describe('storeReferenceModels', () => {
  const database = sqliteTestDatabase();
  let db: Db;
  useTestDatabase(database, { setUp: async () => void (db = await database.open()) });
  const dir = useTempDir('lpcv-reference-models-');

  it("stores each naming track's reference model by sha256, and keeps it when a team's rejected upload has the same bytes", async () => {
    const store = new ArtifactStore(path.join(dir(), 'store-1'));
    const withRef = writeTestTrack(dir(), { name: 'with-ref', kind: 'desktop', trials: 2, baselines: ['linear', 'resnet_s'], reference: 'resnet_s' });
    const without = writeTestTrack(dir(), { name: 'without', kind: 'desktop', trials: 1, baselines: ['linear'] });
    const references = await storeReferenceModels(db, store, [withRef, without]);
    const file = sampleBaselineFile('resnet_s');
    const sha256 = sha256Of(file);
    expect([...references]).toEqual([['with-ref', { name: 'resnet_s', sha256, bytes: readFileSync(file).length, format: 'onnx' }]]);
    await expect(store.verify(sha256)).resolves.toEqual({ bytes: readFileSync(file).length });

    // The same bytes uploaded to a track they do not fit: an upload's rejected bytes are removed unless a
    // submission uses them; the reference is held instead (no submission uses it without seeded baselines).
    const small = makeTrack(dir(), { limits: { maxArtifactBytes: 10_000_000, runTimeoutMs: 1000 } });
    const upload = (s: ArtifactStore) => acceptSubmission({ store: s, track: small, upload: createReadStream(file), isReferenced: async () => false });
    expect((await rejection(upload(store))).code).toBe('LPCV_E_MODEL_INPUT_SHAPE');
    expect(await store.has(sha256)).toBe(true);
    // Without the hold the same upload takes the file with it.
    const bare = new ArtifactStore(path.join(dir(), 'store-2'));
    await bare.putStream(createReadStream(file), { maxBytes: Number.POSITIVE_INFINITY });
    expect((await rejection(upload(bare))).code).toBe('LPCV_E_MODEL_INPUT_SHAPE');
    expect(await bare.has(sha256)).toBe(false);
  });

  it('stops the start with LPCV_E_TRACK_INVALID naming the track file and the model when the file is gone or does not fit', async () => {
    const store = new ArtifactStore(path.join(dir(), 'store-3'));
    const copy = path.join(dir(), 'ref-copy.onnx');
    copyFileSync(sampleBaselineFile('resnet_s'), copy);
    const gone = writeTestTrack(dir(), { name: 'gone', kind: 'desktop', trials: 1, baselines: [{ name: 'mine', file: copy }], reference: 'mine' });
    // Checked when the track loaded; removed since.
    rmSync(copy);
    const e1 = await rejection(storeReferenceModels(db, store, [gone]));
    expect(e1.code).toBe('LPCV_E_TRACK_INVALID');
    expect(e1.message).toContain(`${gone.file}: protocol.reference (mine): the reference model ${copy} cannot be stored: `);
    expect(e1.message).toMatch(/ENOENT/);

    const wrong = path.join(dir(), 'wrong-input.onnx');
    writeFileSync(wrong, fixtureBytes('wrong-input.onnx'));
    const misfit = writeTestTrack(dir(), { name: 'misfit', kind: 'desktop', trials: 1, baselines: [{ name: 'odd', file: wrong }], reference: 'odd' });
    const e2 = await rejection(storeReferenceModels(db, store, [misfit]));
    expect(e2.code).toBe('LPCV_E_TRACK_INVALID');
    expect(e2.message).toContain(`${misfit.file}: protocol.reference (odd): the reference model ${wrong} does not fit the track: LPCV_E_MODEL_INPUT_`);
    // Nothing of it is left in the store.
    expect(await store.has(sha256Of(wrong))).toBe(false);
  });
});
