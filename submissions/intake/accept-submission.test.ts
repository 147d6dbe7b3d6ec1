import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { ArtifactStore } from '../store/artifact-store.js';
import { acceptSubmission } from './accept-submission.js';
import type { AcceptedSubmission } from './accept-submission.js';

const fashion = resolveTrack('fashion-mnist');
const tiny = fixtureBytes('tiny-conv.onnx');

/** An upload as a request body arrives: in chunks. */
function upload(bytes: Uint8Array, chunkSize = 256): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) chunks.push(Buffer.from(bytes.subarray(at, at + chunkSize)));
  return Readable.from(chunks);
}

function withLimits(track: Track, limits: Partial<Track['limits']>): Track {
  return { ...track, limits: { ...track.limits, ...limits } };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

const nothingReferenced = async (): Promise<boolean> => false;

let root: string;
let store: ArtifactStore;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'lpcv-intake-'));
  store = new ArtifactStore(root);
});

describe('acceptSubmission', () => {
  it('accepts a model that fits the track and stores it under its hash', async () => {
    const accepted = await acceptSubmission({ store, track: fashion, upload: upload(tiny), filename: '../../tiny-conv.onnx', isReferenced: nothingReferenced });
    expect(accepted).toMatchObject({ bytes: tiny.length, format: 'onnx', filename: 'tiny-conv.onnx' });
    expect(accepted.validation.ok).toBe(true);
    expect(accepted.validation.input).toMatchObject({ dtype: 'float32', shape: ['batch', 1, 28, 28] });
    expect(await listFiles(root)).toEqual([path.join('sha256', accepted.sha256.slice(0, 2), accepted.sha256)]);
    await store.verify(accepted.sha256);
    expect(store.isHeld(accepted.sha256)).toBe(false);
  });

  it('rejects a model with the wrong number of classes: its code and status, its file name in the message, nothing stored', async () => {
    const e = await rejectionOf(
      acceptSubmission({ store, track: fashion, upload: upload(fixtureBytes('wrong-classes.onnx')), filename: 'mine.onnx', isReferenced: nothingReferenced }),
    );
    expect(e.code).toBe('LPCV_E_MODEL_OUTPUT_SHAPE');
    expect(e.httpStatus).toBe(422);
    expect(e.fault).toBe('submission');
    expect(e.message).toMatch(/10 classes/);
    expect(JSON.stringify(e.toJSON())).not.toContain(root);
    expect(await listFiles(root)).toEqual([]);
  });

  it('rejects a text file as not a model, naming the upload and never the server path', async () => {
    const e = await rejectionOf(
      acceptSubmission({
        store,
        track: fashion,
        upload: upload(new TextEncoder().encode('these are my notes, not weights\n')),
        filename: 'notes.onnx',
        isReferenced: nothingReferenced,
      }),
    );
    expect(e.code).toBe('LPCV_E_MODEL_NOT_ONNX');
    expect(e.httpStatus).toBe(415);
    expect(e.message).toContain('notes.onnx');
    expect(JSON.stringify(e.toJSON())).not.toContain(root);
    expect(await listFiles(root)).toEqual([]);
  });

  it('rejects a zip on an ONNX-only track with LPCV_E_MODEL_FORMAT', async () => {
    const zipHeader = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...new Array<number>(40).fill(0)]);
    const e = await rejectionOf(acceptSubmission({ store, track: fashion, upload: upload(zipHeader), isReferenced: nothingReferenced }));
    expect(e.code).toBe('LPCV_E_MODEL_FORMAT');
    expect(e.message).toContain('the upload');
    expect(await listFiles(root)).toEqual([]);
  });

  it('an empty upload is LPCV_E_MODEL_EMPTY', async () => {
    const e = await rejectionOf(acceptSubmission({ store, track: fashion, upload: Readable.from([]), isReferenced: nothingReferenced }));
    expect(e.code).toBe('LPCV_E_MODEL_EMPTY');
    expect(await listFiles(root)).toEqual([]);
  });

  it('an upload over the track limit is cut off mid-stream: LPCV_E_MODEL_TOO_LARGE (413), nothing stored', async () => {
    const small = withLimits(fashion, { maxArtifactBytes: 512 });
    let pulled = 0;
    const body = Readable.from(
      (function* () {
        for (pulled = 1; pulled <= 100; pulled++) yield Buffer.from(tiny.subarray(0, 256));
      })(),
    );
    const e = await rejectionOf(acceptSubmission({ store, track: small, upload: body, isReferenced: nothingReferenced }));
    expect(e.code).toBe('LPCV_E_MODEL_TOO_LARGE');
    expect(e.httpStatus).toBe(413);
    expect(pulled).toBeLessThan(10);
    expect(await listFiles(root)).toEqual([]);
  });

  it('a rejected upload whose bytes another submission already uses leaves them in place', async () => {
    const accepted = await acceptSubmission({ store, track: fashion, upload: upload(tiny), isReferenced: nothingReferenced });
    const otherClasses: Track = { ...fashion, output: { ...fashion.output, numClasses: 7 } };
    const isReferenced = async (sha256: string): Promise<boolean> => sha256 === accepted.sha256;
    const e = await rejectionOf(acceptSubmission({ store, track: otherClasses, upload: upload(tiny), isReferenced }));
    expect(e.code).toBe('LPCV_E_MODEL_OUTPUT_SHAPE');
    expect(await store.has(accepted.sha256)).toBe(true);
  });

  it('a rejected upload whose reference check is answered just before the same bytes are recorded leaves them in place', async () => {
    // The interleaving that lost an accepted file: the rejected upload asks whether the bytes are referenced,
    // the answer ("no") is read, then the accepted upload records them and lets go, then the rejected one
    // deletes. The rejected upload's check here answers from before the record and lets the accepted one
    // finish before it returns.
    const otherClasses: Track = { ...fashion, output: { ...fashion.output, numClasses: 7 } };
    const recorded = new Set<string>();
    let openGate = (): void => {};
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let inRecord = (): void => {};
    const recording = new Promise<void>((resolve) => (inRecord = resolve));
    const accepted = acceptSubmission({
      store,
      track: fashion,
      upload: upload(tiny),
      isReferenced: async (sha) => recorded.has(sha),
      onAccepted: async (a) => {
        inRecord();
        await gate;
        recorded.add(a.sha256);
      },
    });
    await recording;
    const staleCheck = async (sha: string): Promise<boolean> => {
      const answer = recorded.has(sha);
      openGate();
      await accepted;
      return answer;
    };
    const e = await rejectionOf(acceptSubmission({ store, track: otherClasses, upload: upload(tiny), isReferenced: staleCheck }));
    expect(e.code).toBe('LPCV_E_MODEL_OUTPUT_SHAPE');
    openGate();
    const { sha256 } = await accepted;
    expect(recorded.has(sha256)).toBe(true);
    expect(await store.has(sha256)).toBe(true);
  });

  it('the same bytes accepted on one track and rejected on another at the same time: the accepted one keeps its file', async () => {
    const otherClasses: Track = { ...fashion, output: { ...fashion.output, numClasses: 7 } };
    const recorded = new Set<string>();
    const isReferenced = async (sha256: string): Promise<boolean> => recorded.has(sha256);
    const onAccepted = async (a: AcceptedSubmission): Promise<void> => {
      await new Promise((r) => setTimeout(r, 5)); // a database insert takes a moment
      recorded.add(a.sha256);
    };
    const runs = Array.from({ length: 6 }, (_, i) =>
      acceptSubmission({ store, track: i % 2 ? otherClasses : fashion, upload: upload(tiny, 97), isReferenced, onAccepted }).then(
        (a) => a.sha256,
        () => 'rejected',
      ),
    );
    const outcomes = await Promise.all(runs);
    expect(outcomes.filter((o) => o === 'rejected')).toHaveLength(3);
    const [sha256] = [...recorded];
    expect(await store.has(sha256!)).toBe(true);
    await store.verify(sha256!);
  });

  it('when recording the accepted submission fails, its bytes are removed and the error comes through', async () => {
    const e = await acceptSubmission({
      store,
      track: fashion,
      upload: upload(tiny),
      isReferenced: nothingReferenced,
      onAccepted: async () => {
        throw new Error('database is down');
      },
    }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toBe('database is down');
    expect(await listFiles(root)).toEqual([]);
  });
});
