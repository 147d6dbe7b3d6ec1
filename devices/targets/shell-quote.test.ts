import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOSTILE_WORDS } from '../ssh/testing/hostile-words.js';
import { shellLine, shellQuote } from './shell-quote.js';

/** Runs `line` in `shell` with printf printing each argument NUL-terminated, and splits it back. */
async function argvThrough(shell: string, line: string): Promise<string[]> {
  // The script is a constant; the quoted line is appended as the arguments of printf, as the board's shell
  // would see it. Run in an empty folder-less way: no file named PWNED may appear anywhere.
  const r = await execa(shell, ['-c', `printf '%s\\0' ${line}`], { stdin: 'ignore', cwd: '/tmp', encoding: 'buffer' });
  const out = Buffer.from(r.stdout).toString('utf8');
  return out.split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  it('leaves plain words alone and single-quotes the rest', () => {
    expect(shellQuote('python3')).toBe('python3');
    expect(shellQuote('/tmp/lpcv/job-1/inputs')).toBe('/tmp/lpcv/job-1/inputs');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('two words')).toBe("'two words'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('a=b')).toBe("'a=b'");
    expect(shellQuote('~')).toBe("'~'");
  });

  it('refuses a NUL byte (no shell word can hold one)', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });

  const shells = ['/bin/sh', '/bin/dash', '/bin/bash'].filter((s) => existsSync(s));
  for (const shell of shells) {
    it(`round-trips every hostile word through ${shell}, alone and all together`, async () => {
      for (const w of HOSTILE_WORDS) {
        expect(await argvThrough(shell, shellQuote(w))).toEqual([w]);
      }
      expect(await argvThrough(shell, shellLine(HOSTILE_WORDS))).toEqual(HOSTILE_WORDS);
      expect(existsSync('/tmp/PWNED')).toBe(false);
    });
  }

  it('refuses an empty command line', () => {
    expect(() => shellLine([])).toThrow(/empty/);
  });
});
