import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { zipBytes, type ZipEntrySpec } from '../../test/testing/zip-bytes.js';
import { checkPackage, MAX_PACKAGE_ENTRIES, MAX_PACKAGE_UNPACKED_BYTES } from './check-package.js';

const MAIN: ZipEntrySpec = { name: '__main__.py', data: 'print("hi")\n' };
const problemsOf = (entries: readonly ZipEntrySpec[], prefix = ''): string[] => checkPackage(zipBytes(entries, prefix)).problems;

describe('checkPackage', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'lpcv-check-package-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const dir = (): string => scratch;

  it('passes a real zipapp from python3 -m zipapp, with its "#!" line, and lists its entries', async () => {
    const src = path.join(dir(), 'src');
    mkdirSync(path.join(src, 'lib'), { recursive: true });
    writeFileSync(path.join(src, '__main__.py'), 'import lib.model\n');
    writeFileSync(path.join(src, 'lib', 'model.py'), 'WEIGHTS = [0] * 1000\n');
    const out = path.join(dir(), 'app.pyz');
    await execa('/usr/bin/python3', ['-m', 'zipapp', src, '-o', out, '-p', '/usr/bin/env python3', '-c'], { stdin: 'ignore' });
    const check = checkPackage(readFileSync(out));
    expect(check.problems).toEqual([]);
    expect(check.entries.map((e) => e.name).sort()).toEqual(['__main__.py', 'lib/', 'lib/model.py']);
    expect(check.unpackedBytes).toBe('import lib.model\n'.length + 'WEIGHTS = [0] * 1000\n'.length);
  });

  it('passes a hand-made zip with and without a "#!" line', () => {
    expect(problemsOf([MAIN, { name: 'pkg/', data: '' }, { name: 'pkg/a.py', data: 'x = 1' }])).toEqual([]);
    expect(problemsOf([MAIN], '#!/usr/bin/env python3\n')).toEqual([]);
  });

  it('refuses names that could land outside a folder or collide', () => {
    for (const [name, why] of [
      ['../evil.py', '".." segment'],
      ['pkg/../../evil.py', '".." segment'],
      ['/etc/passwd', 'absolute path'],
      ['C:evil.py', 'drive letter'],
      ['pkg\\..\\evil.py', 'backslash'],
      ['a\u0000b.py', 'control character'],
      ['pkg//a.py', 'empty or "." segment'],
      ['./a.py', 'empty or "." segment'],
      ['', 'empty name'],
      ['x'.repeat(256), 'longer than 255 bytes'],
    ] as const) {
      const problems = problemsOf([MAIN, { name, data: 'x' }]);
      expect(problems.join('; '), JSON.stringify(name)).toContain(why);
    }
    expect(problemsOf([MAIN, { name: 'a.py' }, { name: 'a.py' }])).toEqual(['entry "a.py" appears twice']);
  });

  it('refuses zip bombs, too many entries and too much unpacked in all', () => {
    expect(problemsOf([MAIN, { name: 'bomb.bin', data: 'x'.repeat(100), unpacked: 1_000_000_000 }]).join('; ')).toMatch(/bomb\.bin.*zip bomb/);
    const many = Array.from({ length: MAX_PACKAGE_ENTRIES + 1 }, (_, i) => ({ name: `f${i}.py` }));
    expect(problemsOf([MAIN, ...many])).toEqual([`${MAX_PACKAGE_ENTRIES + 2} entries (at most ${MAX_PACKAGE_ENTRIES})`]);
    const big = Array.from({ length: 5 }, (_, i) => ({ name: `w${i}.bin`, data: 'x'.repeat(10_000_000), packed: 10_000_000, unpacked: 300_000_000 }));
    expect(problemsOf([MAIN, ...big]).join('; ')).toContain(`at most ${MAX_PACKAGE_UNPACKED_BYTES}`);
  });

  it('refuses encryption, compression Python cannot read, and a package without __main__.py', () => {
    expect(problemsOf([MAIN, { name: 'secret.py', flags: 1 }])).toEqual(['entry "secret.py" is encrypted']);
    expect(problemsOf([MAIN, { name: 'a.py', method: 12 }])).toEqual(['entry "a.py" uses compression method 12 (stored or deflate only)']);
    expect(problemsOf([{ name: 'main.py', data: 'x' }]).join('; ')).toContain('no __main__.py at the top');
    expect(problemsOf([{ name: 'pkg/__main__.py', data: 'x' }]).join('; ')).toContain('no __main__.py at the top');
  });

  it('refuses what is not one whole plain zip: cut, padded, damaged or ZIP64', () => {
    const good = zipBytes([MAIN, { name: 'a.py', data: 'x = 1' }]);
    expect(checkPackage(good.subarray(0, good.length - 5)).problems[0]).toMatch(/no end-of-central-directory record/);
    expect(checkPackage(Buffer.concat([good, Buffer.from('trailing')])).problems[0]).toMatch(/no end-of-central-directory record/);
    const damaged = Buffer.from(good);
    // The second central entry's signature, overwritten.
    damaged.writeUInt32LE(0, damaged.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])));
    expect(checkPackage(damaged).problems[0]).toMatch(/entry 2 of 2 is missing or damaged/);
    const bigOffset = Buffer.from(good);
    bigOffset.writeUInt32LE(0xffffffff, bigOffset.length - 6);
    expect(checkPackage(bigOffset).problems[0]).toMatch(/ZIP64/);
  });
});
