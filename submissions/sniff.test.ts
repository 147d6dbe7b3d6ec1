import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { rejectionOf } from '../test/testing/lpcv-errors.js';
import { fixtureBytes } from '../test/testing/onnx-fixtures.js';
import { aihubJobArtifact } from './aihub/aihub-job-artifact.js';
import { sniffFile, sniffFormat } from './sniff.js';

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const u16 = (n: number): number[] => [n & 0xff, n >> 8];
const u32 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];

/**
 * A one-file zip built by hand (stored, CRC left 0: the sniffer does not read it): local header, data,
 * central directory, end-of-central-directory record with an optional comment.
 */
function zipBytes(prefix = '', comment = ''): Uint8Array {
  const name = ascii('__main__.py');
  const data = ascii('print("hello")\n');
  const local = [
    ...ascii('PK\x03\x04'),
    ...u16(20),
    ...u16(0),
    ...u16(0),
    ...u32(0),
    ...u32(0),
    ...u32(data.length),
    ...u32(data.length),
    ...u16(name.length),
    ...u16(0),
    ...name,
    ...data,
  ];
  const central = [
    ...ascii('PK\x01\x02'),
    ...u16(20),
    ...u16(20),
    ...u16(0),
    ...u16(0),
    ...u32(0),
    ...u32(0),
    ...u32(data.length),
    ...u32(data.length),
    ...u16(name.length),
    ...u16(0),
    ...u16(0),
    ...u16(0),
    ...u16(0),
    ...u32(0),
    ...u32(prefix.length),
    ...name,
  ];
  const eocd = [
    ...ascii('PK\x05\x06'),
    ...u16(0),
    ...u16(0),
    ...u16(1),
    ...u16(1),
    ...u32(central.length),
    ...u32(prefix.length + local.length),
    ...u16(comment.length),
    ...ascii(comment),
  ];
  return Uint8Array.from([...ascii(prefix), ...local, ...central, ...eocd]);
}

/** The first bytes of a TFLite flatbuffer: root table offset, then the file identifier "TFL3". */
function tfliteBytes(): Uint8Array {
  const out = new Uint8Array(64);
  out.set([...u32(28), ...ascii('TFL3')]);
  return out;
}

describe('sniffFormat', () => {
  it('ONNX fixtures are onnx, and so is a truncated ONNX model (the reader then says it is truncated)', () => {
    const tiny = fixtureBytes('tiny-conv.onnx');
    expect(sniffFormat(tiny)).toBe('onnx');
    expect(sniffFormat(fixtureBytes('reshape-chain.onnx'))).toBe('onnx');
    expect(sniffFormat(tiny.subarray(0, 600))).toBe('onnx');
  });

  it('TFLite: "TFL3" at bytes 4..8 with a root offset inside the file', () => {
    expect(sniffFormat(tfliteBytes())).toBe('tflite');
    const badRoot = tfliteBytes();
    badRoot.set(u32(5000));
    expect(sniffFormat(badRoot)).toBe('unknown');
  });

  it('zip, a .pyz with a shebang line, and a zip with a comment', () => {
    expect(sniffFormat(zipBytes())).toBe('zip');
    expect(sniffFormat(zipBytes('#!/usr/bin/env python3\n'))).toBe('zip');
    expect(sniffFormat(zipBytes('', 'built by hand'))).toBe('zip');
    // Only the end record left (e.g. data before it is not a local header): found from the end.
    expect(sniffFormat(Uint8Array.from([...ascii('#!python\nnot zip data'), ...zipBytes().subarray(-22)]))).toBe('zip');
    // An empty archive is just the 22-byte end record.
    expect(sniffFormat(Uint8Array.from([...ascii('PK\x05\x06'), ...new Array<number>(18).fill(0)]))).toBe('zip');
  });

  it('an end record whose comment length does not reach the end of the file is not a zip', () => {
    const bytes = Uint8Array.from([...ascii('xxxxPK\x05\x06'), ...new Array<number>(16).fill(0), ...u16(3), ...ascii('abcdef')]);
    expect(sniffFormat(bytes)).toBe('unknown');
  });

  it('an AI Hub compile job reference is aihub-job; JSON that is not exactly one, and models, are not', () => {
    expect(sniffFormat(aihubJobArtifact('jgdx8v3p5'))).toBe('aihub-job');
    for (const near of [
      '{"kind":"aihub-compile-job","jobId":"jgdx8v3p5"}\n',
      '{"kind":"aihub-compile-job","jobId":"jgdx8v3p"}',
      '{"kind":"aihub-compile-job"}',
    ]) {
      expect(sniffFormat(new TextEncoder().encode(near)), near).toBe('unknown');
    }
    // A model that merely contains the reference's bytes stays what it is.
    const withReference = Uint8Array.from([...zipBytes(), ...aihubJobArtifact('jgdx8v3p5')]);
    expect(sniffFormat(withReference)).not.toBe('aihub-job');
    expect(sniffFormat(fixtureBytes('tiny-conv.onnx'))).toBe('onnx');
    expect(sniffFormat(tfliteBytes())).toBe('tflite');
  });

  it('images, text, empty files are unknown', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    expect(sniffFormat(png)).toBe('unknown');
    expect(sniffFormat(new TextEncoder().encode('import torch\n'))).toBe('unknown');
    expect(sniffFormat(new Uint8Array(0))).toBe('unknown');
  });
});

describe('sniffFile', () => {
  it('reads the file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lpcv-sniff-'));
    const file = path.join(dir, 'solution.pyz');
    await writeFile(file, zipBytes('#!/usr/bin/python3\n'));
    expect(await sniffFile(file)).toBe('zip');
    expect(await sniffFile(new URL('../test/fixtures/onnx/tiny-conv.onnx', import.meta.url).pathname)).toBe('onnx');
  });

  it('a missing file is LPCV_E_FILE_NOT_FOUND', async () => {
    const err = await rejectionOf(sniffFile('/nonexistent/model.onnx'));
    expect(err.code).toBe('LPCV_E_FILE_NOT_FOUND');
  });
});
