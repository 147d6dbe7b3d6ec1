import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { captureTail, decodeTail, TAIL_BYTES, tailBuffer } from './stream-tail.js';

describe('tailBuffer', () => {
  it('keeps a short stream whole and says it was not cut', () => {
    const t = tailBuffer(16);
    t.push(Buffer.from('hello '));
    t.push(Buffer.from('world'));
    expect(t.result()).toEqual({ text: 'hello world', truncated: false });
    expect(t.seenBytes).toBe(11);
  });

  it('keeps exactly the last bytes of a long stream, whatever the chunk sizes', () => {
    const t = tailBuffer(10);
    for (const piece of ['0123', '45678', '9abcdefghij', 'k', 'lmnop']) t.push(Buffer.from(piece));
    expect(t.result()).toEqual({ text: 'gh' + 'ijklmnop', truncated: true });
    const exact = tailBuffer(4);
    exact.push(Buffer.from('abcd'));
    expect(exact.result()).toEqual({ text: 'abcd', truncated: false });
  });

  it('does not show half a character where the cut fell inside one, and turns NUL into U+FFFD', () => {
    // "é" is two bytes (c3 a9): a tail cut between them starts with a lone a9, which is skipped.
    expect(decodeTail(Buffer.from('é!'), 5)).toEqual({ text: 'é!', truncated: true });
    expect(decodeTail(Buffer.from('é!').subarray(1), 5)).toEqual({ text: '!', truncated: true });
    expect(decodeTail(Buffer.from('a\u0000b'), 3)).toEqual({ text: 'a\uFFFDb', truncated: false });
  });
});

describe('captureTail on a real child process', () => {
  it("keeps the last 8 KiB of a child's stderr and the whole of its short stdout", async () => {
    // 20,000 lines of "line <n>\n" (well past 8 KiB), written one by one, then a last word on each stream.
    const script =
      'for (let i = 0; i < 20000; i++) process.stderr.write(`line ${i}\\n`); process.stderr.write("Error: the end\\n"); process.stdout.write("started\\n");';
    const child = execa(process.execPath, ['-e', script], { buffer: false, stdin: 'ignore', reject: false });
    const [stdout, stderr] = await Promise.all([captureTail(child.stdout), captureTail(child.stderr), child]);
    expect(stdout.result()).toEqual({ text: 'started\n', truncated: false });
    const tail = stderr.result();
    expect(tail.truncated).toBe(true);
    expect(Buffer.byteLength(tail.text)).toBe(TAIL_BYTES);
    expect(tail.text.endsWith('line 19999\nError: the end\n')).toBe(true);
    expect(stderr.seenBytes).toBeGreaterThan(100_000);
  });
});
