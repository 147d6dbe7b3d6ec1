import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { shellLine, shellQuote } from './shell-quote.js';

const hostile = [
  'plain',
  '',
  'with space',
  "it's",
  "''",
  '$(touch /tmp/lpcv-pwned)',
  '`id`',
  'a;b&&c||d|e',
  '>out <in',
  '*?[a]',
  '~user',
  '#comment',
  'back\\slash',
  'new\nline',
  'tab\there',
  '"double"',
  '--graph=/data/local/tmp/x y/model.tflite',
  'ünïcödé',
  '!history',
  '{a,b}',
];

describe('shellQuote', () => {
  it('leaves safe words alone and quotes the rest', () => {
    expect(shellQuote('/data/local/tmp/benchmark_model')).toBe('/data/local/tmp/benchmark_model');
    // = is quoted: a first word a=b would be read as an assignment.
    expect(shellQuote('--num_threads=1')).toBe("'--num_threads=1'");
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });
  it('refuses a NUL byte (no shell word can hold one)', () => {
    expect(() => shellQuote('a\0b')).toThrow(TypeError);
  });
  // The phone's shell is mksh/toybox sh; every POSIX shell reads quoting the same way. Each installed one is tried.
  for (const shell of ['sh', 'dash', 'bash', 'mksh']) {
    it(`round-trips hostile words through ${shell}`, async (ctx) => {
      const which = await execa('sh', ['-c', `command -v ${shell}`], { reject: false });
      if (which.exitCode !== 0) {
        console.warn(`${shell} is not installed: skipped`);
        ctx.skip();
      }
      // printf '%s\0' prints each word NUL-terminated: exactly the words the shell parsed from the line.
      const r = await execa(shell, ['-c', `printf '%s\\0' ${shellLine(hostile)}`], { encoding: 'utf8' });
      expect(r.stdout.split('\0').slice(0, -1)).toEqual(hostile);
    });
  }
});
