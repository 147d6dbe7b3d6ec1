import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { rejectionOf, errorOf } from '../../test/testing/lpcv-errors.js';
import { ArtifactStore } from './artifact-store.js';

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Every file under a folder, as paths relative to it. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** A stream of `count` chunks of `size` bytes that counts how many chunks were read from it. */
function countingStream(count: number, size: number): { stream: Readable; pulled: () => number } {
  let pulled = 0;
  const stream = new Readable({
    highWaterMark: size,
    read() {
      if (pulled === count) return void this.push(null);
      pulled++;
      this.push(Buffer.alloc(size, pulled % 256));
    },
  });
  return { stream, pulled: () => pulled };
}

let root: string;
let store: ArtifactStore;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'lpcv-store-'));
  store = new ArtifactStore(root);
});

describe('ArtifactStore', () => {
  it('stores a stream under sha256/<aa>/<hash> with the right bytes', async () => {
    const content = bytesOf('hello, model');
    const stored = await store.putStream(Readable.from([Buffer.from(content.subarray(0, 5)), Buffer.from(content.subarray(5))]), { maxBytes: 100 });
    const hash = sha(content);
    expect(stored).toEqual({ sha256: hash, bytes: content.length, path: path.join(root, 'sha256', hash.slice(0, 2), hash) });
    expect(new Uint8Array(await readFile(stored.path))).toEqual(content);
    expect(await store.has(hash)).toBe(true);
    expect(await listFiles(root)).toEqual([path.join('sha256', hash.slice(0, 2), hash)]);
  });

  it('keeps one copy of the same content (dedup), and the temp folder is left empty', async () => {
    const a = await store.putBytes(bytesOf('same'));
    const b = await store.putStream(Readable.from([Buffer.from('sa'), Buffer.from('me')]), { maxBytes: 10 });
    expect(b).toEqual(a);
    expect(await listFiles(root)).toEqual([path.relative(root, a.path)]);
  });

  it('concurrent puts of the same content all succeed and leave one file', async () => {
    const content = Buffer.alloc(256 * 1024, 7);
    const puts = Array.from({ length: 8 }, () => {
      const chunks = Array.from({ length: 16 }, (_, i) => content.subarray(i * 16 * 1024, (i + 1) * 16 * 1024));
      return store.putStream(Readable.from(chunks), { maxBytes: content.length });
    });
    const results = await Promise.all(puts);
    expect(new Set(results.map((r) => r.sha256))).toEqual(new Set([sha(content)]));
    expect(await listFiles(root)).toEqual([path.relative(root, results[0]!.path)]);
    await store.verify(sha(content));
  });

  it('stops reading past maxBytes mid-stream: LPCV_E_MODEL_TOO_LARGE and nothing left on disk', async () => {
    const { stream, pulled } = countingStream(1000, 1024);
    const e = await rejectionOf(store.putStream(stream, { maxBytes: 10 * 1024 }));
    expect(e.code).toBe('LPCV_E_MODEL_TOO_LARGE');
    expect(e.httpStatus).toBe(413);
    expect(pulled()).toBeLessThan(20); // the 1 MB upload was cut off after about 10 KB, not read to the end
    expect(stream.destroyed).toBe(false); // its owner decides: drain it or close the connection
    expect(await listFiles(root)).toEqual([]);
  });

  it('accepts exactly maxBytes', async () => {
    const stored = await store.putBytes(new Uint8Array(64), { maxBytes: 64 });
    expect(stored.bytes).toBe(64);
  });

  it('rejects an empty upload with LPCV_E_MODEL_EMPTY and leaves nothing', async () => {
    const e = await rejectionOf(store.putStream(Readable.from([]), { maxBytes: 10 }));
    expect(e.code).toBe('LPCV_E_MODEL_EMPTY');
    expect(await listFiles(root)).toEqual([]);
  });

  it('an upload that breaks off (client gone) rethrows its error and leaves nothing', async () => {
    const broken = new Readable({ read() {} });
    const put = store.putStream(broken, { maxBytes: 1e6 });
    broken.push(Buffer.alloc(1000, 1));
    await new Promise((r) => setTimeout(r, 20));
    broken.destroy(new Error('aborted'));
    await expect(put).rejects.toThrow('aborted');
    expect(await listFiles(root)).toEqual([]);
  });

  it('an upload in progress is only a temp file: nothing under sha256/ until it is complete', async () => {
    const slow = new Readable({ read() {} });
    const put = store.putStream(slow, { maxBytes: 1e6 });
    slow.push(Buffer.from('partial '));
    await new Promise((r) => setTimeout(r, 20));
    expect(await listFiles(path.join(root, 'sha256'))).toEqual([]);
    expect(await listFiles(path.join(root, 'tmp'))).toHaveLength(1);
    // An upload still running in this process is never swept, however old its file looks.
    expect(await store.sweepTemp(0, Date.now() + 3_600_000)).toEqual([]);
    slow.push(Buffer.from('upload'));
    slow.push(null);
    const stored = await put;
    expect(stored.sha256).toBe(sha(bytesOf('partial upload')));
    expect(await listFiles(path.join(root, 'tmp'))).toEqual([]);
  });

  it('sweepTemp removes temp files left by a crash once they are old enough', async () => {
    await mkdir(path.join(root, 'tmp'), { recursive: true });
    const old = path.join(root, 'tmp', 'crashed.part');
    const recent = path.join(root, 'tmp', 'recent.part');
    await writeFile(old, 'half an upload');
    await writeFile(recent, 'another');
    const now = Date.now();
    await utimes(old, new Date(now - 2 * 3_600_000), new Date(now - 2 * 3_600_000));
    expect(await store.sweepTemp(3_600_000, now)).toEqual(['crashed.part']);
    expect(await listFiles(path.join(root, 'tmp'))).toEqual(['recent.part']);
    expect(await new ArtifactStore(path.join(root, 'never-used')).sweepTemp(0)).toEqual([]);
  });

  it.each([['../../etc/passwd'], ['/etc/passwd'], ['A'.repeat(64)], ['abc123'], ['a'.repeat(65)], [`${'a'.repeat(62)}/.`], [`${'a'.repeat(63)}\0`], ['']])(
    'refuses the hostile hash %j everywhere with LPCV_E_ARTIFACT_HASH',
    async (bad) => {
      expect(errorOf(() => store.path(bad)).code).toBe('LPCV_E_ARTIFACT_HASH');
      expect(errorOf(() => store.hold(bad)).code).toBe('LPCV_E_ARTIFACT_HASH');
      const calls: (() => Promise<unknown>)[] = [() => store.has(bad), () => store.verify(bad), () => store.remove(bad), () => store.removeUnlessHeld(bad)];
      for (const call of calls) {
        const e = await rejectionOf(Promise.resolve().then(call));
        expect(e.code).toBe('LPCV_E_ARTIFACT_HASH');
        expect(e.httpStatus).toBe(400);
      }
    },
  );

  it('verify re-hashes the file: a flipped byte is LPCV_E_ARTIFACT_CORRUPT, a missing file LPCV_E_ARTIFACT_MISSING', async () => {
    const stored = await store.putBytes(bytesOf('an honest model'));
    expect(await store.verify(stored.sha256)).toEqual({ bytes: 15 });
    const bytes = await readFile(stored.path);
    bytes[3] ^= 0x01;
    await writeFile(stored.path, bytes);
    const corrupt = await rejectionOf(store.verify(stored.sha256));
    expect(corrupt.code).toBe('LPCV_E_ARTIFACT_CORRUPT');
    expect(corrupt.fault).toBe('infrastructure');
    const missing = await rejectionOf(store.verify(sha(bytesOf('never stored'))));
    expect(missing.code).toBe('LPCV_E_ARTIFACT_MISSING');
  });

  it('a damaged leftover of the wrong size is replaced by a fresh put of the content', async () => {
    const content = bytesOf('the real content');
    const target = store.path(sha(content));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, 'the real');
    await store.putBytes(content);
    await store.verify(sha(content));
  });

  it('remove deletes; removeUnlessHeld leaves a held hash alone', async () => {
    const { sha256 } = await store.putBytes(bytesOf('x'));
    const release = store.hold(sha256);
    expect(await store.removeUnlessHeld(sha256)).toBe(false);
    expect(await store.has(sha256)).toBe(true);
    release();
    release(); // twice is harmless
    expect(store.isHeld(sha256)).toBe(false);
    expect(await store.removeUnlessHeld(sha256)).toBe(true);
    expect(await store.has(sha256)).toBe(false);
    expect(await store.remove(sha256)).toBe(false);
  });

  it('remove and put of the same content take turns: a remove issued first cannot delete the re-put file', async () => {
    const content = bytesOf('raced');
    const { sha256 } = await store.putBytes(content);
    const [, again] = await Promise.all([store.remove(sha256), store.putBytes(content)]);
    expect(again.sha256).toBe(sha256);
    expect(await store.has(sha256)).toBe(true);
  });
});
