import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../errors/codes.js';
import { ROOT, expectOneLineError, lpcv } from '../testing/run-lpcv.js';
import { sampleTrackJson } from '../testing/sample-track.js';

const fixture = (name: string): string => path.join(ROOT, 'test/fixtures/onnx', name);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lpcv-bad-'));
const tmpFile = (name: string, content: string | Uint8Array): string => {
  const file = path.join(tmp, name);
  writeFileSync(file, content);
  return file;
};

/** Each bad input: the command, the stable code, and a phrase the message must contain. */
const cases: { what: string; args: () => string[]; code: keyof typeof ERROR_CODES; says: RegExp }[] = [
  {
    what: 'a text file',
    args: () => ['score', tmpFile('notes.onnx', 'this is not a model\n'), '--track', 'fashion-mnist'],
    code: 'LPCV_E_MODEL_NOT_ONNX',
    says: /not an ONNX model/,
  },
  {
    what: 'a truncated model',
    args: () => {
      const bytes = readFileSync(fixture('tiny-conv.onnx'));
      return ['score', tmpFile('truncated.onnx', bytes.subarray(0, Math.floor(bytes.length / 2))), '--track', 'fashion-mnist'];
    },
    code: 'LPCV_E_MODEL_TRUNCATED',
    says: /ends early/,
  },
  // --trials takes 1 to 100 (each a fresh inference process); anything else is refused before anything runs.
  ...['0', '-1', '101', '1000000', 'x'].map((n) => ({
    what: `--trials ${n}`,
    args: () => ['score', fixture('tiny-conv.onnx'), '--track', 'fashion-mnist', '--trials', n],
    code: 'LPCV_E_USAGE' as const,
    says: new RegExp(`--trials expects an integer from 1 to 100, got "${n}"`),
  })),
  { what: 'an empty file', args: () => ['score', tmpFile('empty.onnx', ''), '--track', 'fashion-mnist'], code: 'LPCV_E_MODEL_EMPTY', says: /empty/ },
  {
    what: 'a missing model',
    args: () => ['score', path.join(tmp, 'nope.onnx'), '--track', 'fashion-mnist'],
    code: 'LPCV_E_FILE_NOT_FOUND',
    says: /nope\.onnx/,
  },
  {
    what: 'a wrong input shape',
    args: () => ['score', fixture('wrong-input.onnx'), '--track', 'fashion-mnist'],
    code: 'LPCV_E_MODEL_INPUT_SHAPE',
    says: /\[1, 1, 28, 28\]/,
  },
  {
    what: 'the wrong number of classes',
    args: () => ['score', fixture('wrong-classes.onnx'), '--track', 'fashion-mnist'],
    code: 'LPCV_E_MODEL_OUTPUT_SHAPE',
    says: /10 classes/,
  },
  { what: 'two inputs', args: () => ['validate', fixture('two-inputs.onnx'), '--track', 'fashion-mnist'], code: 'LPCV_E_MODEL_INPUT_COUNT', says: /2 inputs/ },
  { what: 'a uint8 input', args: () => ['score', fixture('uint8-input.onnx'), '--track', 'fashion-mnist'], code: 'LPCV_E_MODEL_INPUT_DTYPE', says: /uint8/ },
  {
    what: 'NaN outputs',
    args: () => ['score', fixture('nan-output.onnx'), '--track', 'fashion-mnist', '--runs', '5'],
    code: 'LPCV_E_MODEL_OUTPUT_NAN',
    says: /first on image 00000/,
  },
  {
    what: 'a model that never finishes',
    args: () => ['score', fixture('hang.onnx'), '--track', 'fashion-mnist', '--timeout', '3'],
    code: 'LPCV_E_MODEL_TIMEOUT',
    says: /3000 ms/,
  },
  {
    what: 'an unknown track',
    args: () => ['score', fixture('tiny-conv.onnx'), '--track', 'imagenet-2099'],
    code: 'LPCV_E_TRACK_UNKNOWN',
    says: /known: .*fashion-mnist/,
  },
  {
    what: 'an unknown split',
    args: () => ['score', fixture('tiny-conv.onnx'), '--track', 'fashion-mnist', '--split', 'train'],
    code: 'LPCV_E_SPLIT_UNKNOWN',
    says: /val, test/,
  },
  {
    what: 'a missing data set',
    args: () => {
      const track = sampleTrackJson() as unknown as { dataset: { images: string } };
      track.dataset.images = 'data/missing-images.gz';
      return ['score', fixture('tiny-conv.onnx'), '--track', tmpFile('track.json', JSON.stringify(track))];
    },
    code: 'LPCV_E_DATASET_MISSING',
    says: /missing-images\.gz/,
  },
  {
    what: 'a malformed predictions file',
    args: () => ['evaluate', '--task', 'classification', '--gt', tmpFile('gt.csv', 'a,1\nb,2\n'), '--pred', tmpFile('pred.txt', 'a 1\nb\n')],
    code: 'LPCV_E_PRED_MALFORMED',
    says: /pred\.txt:2: expected/,
  },
  {
    what: 'a bad option value',
    args: () => ['score', fixture('tiny-conv.onnx'), '--track', 'fashion-mnist', '--threads', 'zero'],
    code: 'LPCV_E_USAGE',
    says: /--threads/,
  },
  { what: 'an unknown option', args: () => ['score', fixture('tiny-conv.onnx'), '--track', 'fashion-mnist', '--turbo'], code: 'LPCV_E_USAGE', says: /--turbo/ },
  { what: 'an unknown command', args: () => ['benchmark'], code: 'LPCV_E_USAGE', says: /benchmark/ },
  // Commander's suggestion stays on the error's line; a misspelled option is named, not taken for a missing one.
  { what: 'a misspelled command', args: () => ['scor', 'x'], code: 'LPCV_E_USAGE', says: /^unknown command 'scor' \(Did you mean score\?\)/ },
  {
    what: 'a misspelled required option',
    args: () => ['score', fixture('tiny-conv.onnx'), '--trak', 'fashion-mnist'],
    code: 'LPCV_E_USAGE',
    says: /^unknown option '--trak' \(Did you mean --track\?\)/,
  },
  {
    what: 'a missing required option',
    args: () => ['score', fixture('tiny-conv.onnx'), '--json'],
    code: 'LPCV_E_USAGE',
    says: /^required option '--track <name\|file>' not specified/,
  },
  ...[['score', '--track', 'fashion-mnist'], ['validate', '--track', 'fashion-mnist'], ['inspect']].map(([command, ...rest]) => ({
    what: `a directory given to ${command} as the model`,
    args: () => [command!, tmp, ...rest],
    code: 'LPCV_E_USAGE' as const,
    says: /is a directory, not a model file$/,
  })),
];

describe('bad input gets one line, a stable code and its documented exit code', () => {
  it.each(cases)('$what -> $code', async ({ args, code, says }) => {
    const r = await lpcv(args());
    const err = expectOneLineError(r);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(says);
    expect(r.exitCode).toBe(ERROR_CODES[code].exit);
    expect(r.stdout).not.toMatch(/^\s+at /m);
  });

  it('with --json, stdout holds one JSON error object', async () => {
    const r = await lpcv(['score', tmpFile('x.onnx', 'nope'), '--track', 'fashion-mnist', '--json']);
    expect(r.exitCode).toBe(ERROR_CODES.LPCV_E_MODEL_NOT_ONNX.exit);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'LPCV_E_MODEL_NOT_ONNX', fault: 'submission' } });
  });

  it('validate --json prints the documented error object, its first problem, with every problem beside it', async () => {
    const r = await lpcv(['validate', fixture('two-inputs.onnx'), '--track', 'fashion-mnist', '--json']);
    expect(r.exitCode).toBe(ERROR_CODES.LPCV_E_MODEL_INPUT_COUNT.exit);
    const answer = JSON.parse(r.stdout);
    expect(answer).toEqual({
      error: { code: 'LPCV_E_MODEL_INPUT_COUNT', message: expect.stringMatching(/2 inputs/), fault: 'submission' },
      problems: [{ code: 'LPCV_E_MODEL_INPUT_COUNT', message: answer.error.message }],
    });
    expect(expectOneLineError(r)).toEqual({ code: 'LPCV_E_MODEL_INPUT_COUNT', message: answer.error.message });
  });

  it('a model file in a folder with spaces and quotes is just a path', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "lpcv it's here "));
    const file = path.join(dir, 'tiny conv.onnx');
    copyFileSync(fixture('tiny-conv.onnx'), file);
    const r = await lpcv(['validate', file, '--track', 'fashion-mnist']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('ok: the model fits the track');
  });
});
