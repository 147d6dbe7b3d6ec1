import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as artifactHash from '../../submissions/store/artifact-hash.js';
import { fileSha256 } from '../../submissions/store/artifact-hash.js';
import { AgentClient } from './agent-client.js';
import { VerifiedFiles, downloadCached } from './download-cached.js';

// The real hash, counted: a cache hit the agent verified before must not read the file again.
vi.mock('../../submissions/store/artifact-hash.js', async (original) => {
  const real = await original<typeof artifactHash>();
  return { ...real, fileSha256: vi.fn(real.fileSha256) };
});
const hashes = vi.mocked(fileSha256);

const BYTES = Buffer.from('the model bytes');
const SHA = createHash('sha256').update(BYTES).digest('hex');

describe('downloadCached', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-dl-'));
  let server: Server;
  let client: AgentClient;
  let gets = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      gets += 1;
      if (req.headers.authorization !== 'Bearer tok') return void res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(BYTES);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    client = new AgentClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'tok');
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('downloads and verifies once, then serves the cache; replaces a corrupt cached copy', async () => {
    const file = path.join(dir, 'artifacts', `${SHA}.onnx`);
    const d = { route: '/x', sha256: SHA, file, mismatchCode: 'LPCV_E_ARTIFACT_CORRUPT' as const };
    expect(await downloadCached(client, d)).toBe(true);
    expect(await downloadCached(client, d)).toBe(false);
    expect(gets).toBe(1);
    writeFileSync(file, 'tampered');
    expect(await downloadCached(client, d)).toBe(true);
    expect(readFileSync(file)).toEqual(BYTES);
  });

  it('with the files it verified: an unchanged cached file is not hashed again, a changed one is', async () => {
    const file = path.join(dir, 'verified', `${SHA}.onnx`);
    const verified = new VerifiedFiles();
    const d = { route: '/x', sha256: SHA, file, mismatchCode: 'LPCV_E_ARTIFACT_CORRUPT' as const, verified };
    const before = gets;
    expect(await downloadCached(client, d)).toBe(true);
    hashes.mockClear();
    expect(await downloadCached(client, d)).toBe(false);
    expect(await downloadCached(client, d)).toBe(false);
    expect(hashes).not.toHaveBeenCalled();
    expect(gets).toBe(before + 1);
    // Same length, the modification time set back: the change is still seen.
    const { atime, mtime } = statSync(file);
    writeFileSync(file, Buffer.alloc(BYTES.length, 0x78));
    utimesSync(file, atime, mtime);
    expect(await downloadCached(client, d)).toBe(true);
    expect(hashes).toHaveBeenCalledTimes(1);
    expect(readFileSync(file)).toEqual(BYTES);
    // Another agent's memory (a restart) starts empty: the first hit is hashed.
    hashes.mockClear();
    expect(await downloadCached(client, { ...d, verified: new VerifiedFiles() })).toBe(false);
    expect(hashes).toHaveBeenCalledTimes(1);
  });

  it('throws the mismatch code and keeps nothing when the bytes hash otherwise', async () => {
    const file = path.join(dir, 'inputs', 'x.lpcvpack');
    await expect(downloadCached(client, { route: '/x', sha256: 'c'.repeat(64), file, mismatchCode: 'LPCV_E_INPUT_PACK_HASH' })).rejects.toMatchObject({
      code: 'LPCV_E_INPUT_PACK_HASH',
    });
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(path.dirname(file))).toEqual([]);
  });
});
