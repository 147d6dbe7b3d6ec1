import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { aihubJobArtifact, aihubJobArtifactProblem, aihubJobIdOf, checkAihubJobId } from './aihub-job-artifact.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const bytesOf = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('AI Hub compile job artifact', () => {
  it('is exactly the compact JSON of kind and id, and reads back', () => {
    const bytes = aihubJobArtifact('jgdx8v3p5');
    expect(text(bytes)).toBe('{"kind":"aihub-compile-job","jobId":"jgdx8v3p5"}');
    expect(text(bytes)).toBe(JSON.stringify({ kind: 'aihub-compile-job', jobId: 'jgdx8v3p5' }));
    expect(aihubJobIdOf(bytes)).toBe('jgdx8v3p5');
    expect(aihubJobIdOf(aihubJobArtifact('j1p3kx9qg'))).toBe('j1p3kx9qg');
  });

  it('refuses every id of another shape with LPCV_E_AIHUB_JOB_ID', () => {
    for (const bad of [
      '',
      'j',
      'jgdx8v3p',
      'jgdx8v3p5x',
      'Jgdx8v3p5',
      'jGDX8V3P5',
      'kgdx8v3p5',
      ' jgdx8v3p5',
      'jgdx8v3p5\n',
      'jgdx-v3p5',
      'j"dx8v3p5',
      'ｊgdx8v3p5',
      'x'.repeat(5000),
    ]) {
      let caught: unknown;
      try {
        checkAihubJobId(bad);
      } catch (e) {
        caught = e;
      }
      expect(caught, JSON.stringify(bad.slice(0, 20))).toBeInstanceOf(LpcvError);
      expect((caught as LpcvError).code).toBe('LPCV_E_AIHUB_JOB_ID');
      expect((caught as LpcvError).message.length).toBeLessThan(200);
      expect(() => aihubJobArtifact(bad)).toThrow(LpcvError);
    }
  });

  it('takes nothing but the exact bytes for an artifact', () => {
    for (const near of [
      '{"kind":"aihub-compile-job","jobId":"jgdx8v3p5"}\n',
      '{"kind": "aihub-compile-job", "jobId": "jgdx8v3p5"}',
      '{"jobId":"jgdx8v3p5","kind":"aihub-compile-job"}',
      '{"kind":"aihub-compile-job","jobId":"JGDX8V3P5"}',
      '{"kind":"aihub-compile-job","jobId":"jgdx8v3p"} ',
      '\uFEFF{"kind":"aihub-compile-job","jobId":"jgdx8v3p5"}',
    ]) {
      expect(aihubJobIdOf(bytesOf(near)), near).toBeUndefined();
    }
  });

  it('tells a near miss what to fix, and says nothing about other files', () => {
    expect(aihubJobArtifactProblem(bytesOf('{"kind": "aihub-compile-job", "jobId": "jgdx8v3p5"}\n'))).toContain(
      'exactly {"kind":"aihub-compile-job","jobId":"jgdx8v3p5"}',
    );
    expect(aihubJobArtifactProblem(bytesOf('{"kind":"aihub-compile-job","jobId":"nope"}'))).toContain('"jobId":"jgdx8v3p5"');
    expect(aihubJobArtifactProblem(aihubJobArtifact('jgdx8v3p5'))).toBeUndefined();
    expect(aihubJobArtifactProblem(bytesOf('{"kind":"something-else"}'))).toBeUndefined();
    expect(aihubJobArtifactProblem(bytesOf('{not json'))).toBeUndefined();
    expect(aihubJobArtifactProblem(bytesOf('import torch\n'))).toBeUndefined();
  });
});
