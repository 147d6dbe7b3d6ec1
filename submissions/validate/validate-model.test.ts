import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { zipBytes } from '../../test/testing/zip-bytes.js';
import { aihubJobArtifact } from '../aihub/aihub-job-artifact.js';
import type { ModelRequirements } from './model-requirements.js';
import { validateModel } from './validate-model.js';

const fashion = resolveTrack('fashion-mnist');
const accepting = (formats: ModelRequirements['formats']): ModelRequirements => ({ ...fashion, formats });

/** A TFLite flatbuffer's skeleton: root table offset 16, "TFL3", a vtable of 4 bytes at 12 and the table at 16. */
function tflite(): Uint8Array {
  const b = Buffer.alloc(32);
  b.writeInt32LE(16, 0);
  b.write('TFL3', 4, 'ascii');
  b.writeUInt16LE(4, 12);
  b.writeUInt16LE(4, 14);
  b.writeInt32LE(4, 16);
  return b;
}

describe('validateModel on the formats a track may accept besides ONNX', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'lpcv-validate-model-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const dir = (): string => scratch;
  const write = (name: string, bytes: Uint8Array): string => {
    const file = path.join(dir(), name);
    writeFileSync(file, bytes);
    return file;
  };

  it('accepts a sound solution package on a track that takes them, and refuses an unsafe one with LPCV_E_PACKAGE_INVALID', () => {
    const good = write('good.pyz', zipBytes([{ name: '__main__.py', data: 'print(1)' }], '#!/usr/bin/env python3\n'));
    const report = validateModel(good, accepting(['onnx', 'solution']));
    expect(report).toMatchObject({ ok: true, problems: [], model: { format: 'zip' } });
    const evil = write(
      'evil.pyz',
      zipBytes([
        { name: '__main__.py', data: 'x' },
        { name: '../../etc/cron.d/x', data: 'x' },
      ]),
    );
    const refused = validateModel(evil, accepting(['solution']));
    expect(refused.ok).toBe(false);
    expect(refused.problems).toEqual([{ code: 'LPCV_E_PACKAGE_INVALID', message: `${evil}: entry "../../etc/cron.d/x": a ".." segment` }]);
    // A track that does not take packages refuses even a sound one by its format.
    expect(validateModel(good, accepting(['onnx'])).problems[0]?.code).toBe('LPCV_E_MODEL_FORMAT');
  });

  it('accepts a structurally sound TFLite file on a track that takes them, and refuses a cut one', () => {
    const file = write('m.tflite', tflite());
    const report = validateModel(file, accepting(['tflite']));
    expect(report.ok).toBe(true);
    expect(report.warnings.join(' ')).toMatch(/checked on the device that runs it/);
    const cut = write('cut.tflite', tflite().subarray(0, 18));
    expect(validateModel(cut, accepting(['tflite'])).problems[0]).toMatchObject({
      code: 'LPCV_E_MODEL_FORMAT',
      message: expect.stringMatching(/not a readable TFLite model/),
    });
  });

  it('accepts an AI Hub compile job reference on a track that takes them without reading it as a model, and refuses it elsewhere', () => {
    const file = write('job.json', aihubJobArtifact('jgdx8v3p5'));
    const report = validateModel(file, accepting(['aihub-job']));
    expect(report).toMatchObject({ ok: true, problems: [], input: null, output: null, model: { format: 'aihub-job', bytes: 48 } });
    expect(report.warnings.join(' ')).toMatch(/checked by the device agent/);
    expect(validateModel(file, accepting(['onnx', 'tflite', 'solution'])).problems).toEqual([
      { code: 'LPCV_E_MODEL_FORMAT', message: `${file} is an AI Hub compile job reference; track fashion-mnist accepts onnx, tflite, solution` },
    ]);
    // A hand-written near miss is told what to fix rather than "not an ONNX model".
    const spaced = write('spaced.json', new TextEncoder().encode('{"kind": "aihub-compile-job", "jobId": "jgdx8v3p5"}\n'));
    expect(validateModel(spaced, accepting(['aihub-job'])).problems[0]).toMatchObject({
      code: 'LPCV_E_AIHUB_JOB_ID',
      message: expect.stringMatching(/must be exactly/),
    });
  });

  it('still checks an ONNX model against the input and output the track names', () => {
    expect(validateModel(write('tiny.onnx', fixtureBytes('tiny-conv.onnx')), fashion).ok).toBe(true);
  });
});
