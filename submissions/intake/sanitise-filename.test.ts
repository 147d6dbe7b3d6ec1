import { describe, expect, it } from 'vitest';
import { MAX_FILENAME_CHARS, sanitiseFilename } from './sanitise-filename.js';

describe('sanitiseFilename', () => {
  it('keeps an ordinary name', () => {
    expect(sanitiseFilename('hardnet_s v2.onnx')).toBe('hardnet_s v2.onnx');
  });

  it('strips directories, POSIX and Windows', () => {
    expect(sanitiseFilename('../../x.onnx')).toBe('x.onnx');
    expect(sanitiseFilename('C:\\evil\\m.onnx')).toBe('m.onnx');
    expect(sanitiseFilename('C:m.onnx')).toBe('m.onnx');
    expect(sanitiseFilename('/etc/passwd')).toBe('passwd');
    expect(sanitiseFilename('\\\\server\\share\\..\\model.onnx')).toBe('model.onnx');
  });

  it('drops NUL, control characters and invisible bidi overrides', () => {
    expect(sanitiseFilename('model.onnx\0.sh')).toBe('model.onnx.sh');
    expect(sanitiseFilename('a\r\nb\tc\x7f.onnx')).toBe('abc.onnx');
    expect(sanitiseFilename('evil\u202Exnno.exe')).toBe('evilxnno.exe');
    expect(sanitiseFilename('../\0/')).toBe('');
  });

  it('returns "" when nothing usable is left', () => {
    for (const name of ['', '   ', '..', '.', 'a/..', 'dir/', undefined, null]) expect(sanitiseFilename(name)).toBe('');
  });

  it('caps a 500-character name, keeping its extension and whole characters', () => {
    const long = sanitiseFilename(`${'m'.repeat(500)}.onnx`);
    expect([...long]).toHaveLength(MAX_FILENAME_CHARS);
    expect(long.endsWith('….onnx')).toBe(true);
    const emoji = sanitiseFilename('😀'.repeat(500));
    expect([...emoji]).toHaveLength(MAX_FILENAME_CHARS);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/); // no lone high surrogate
  });
});
