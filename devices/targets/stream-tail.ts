/**
 * Bounded tails of a child's stdout and stderr: what a participant sees of a failed (or finished) run on the
 * status page (harness/wire/run-logs.ts). Only the end of a stream is kept, since that is where a crash
 * says why; memory stays bounded however much a package prints.
 */
import type { Readable } from 'node:stream';
import type { StreamLog } from '../../harness/wire/index.js';

/** Bytes of each stream kept (the end of it). */
export const TAIL_BYTES = 8192;

export interface TailBuffer {
  push(chunk: Uint8Array): void;
  /** Bytes that went by in all. */
  readonly seenBytes: number;
  /** The last `maxBytes` as text, and whether the stream's start was dropped. */
  result(): StreamLog;
}

/**
 * Keeps the last `maxBytes` bytes of a stream, no I/O. Chunks are kept as they came and dropped from the
 * front once the rest still covers `maxBytes`, so a package printing line by line costs no copying per line.
 */
export function tailBuffer(maxBytes: number = TAIL_BYTES): TailBuffer {
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let seen = 0;
  return {
    push(chunk) {
      seen += chunk.length;
      chunks.push(chunk);
      kept += chunk.length;
      while (chunks.length > 1 && kept - chunks[0]!.length >= maxBytes) kept -= chunks.shift()!.length;
    },
    get seenBytes() {
      return seen;
    },
    result() {
      const all = Buffer.concat(chunks);
      return decodeTail(all.subarray(Math.max(0, all.length - maxBytes)), seen);
    },
  };
}

/**
 * A stream's last bytes as text. A cut may fall inside a multi-byte UTF-8 character: its leftover
 * continuation bytes are skipped rather than shown as a replacement character. NUL becomes U+FFFD, which
 * PostgreSQL's text columns could not hold.
 */
export function decodeTail(tail: Uint8Array, seenBytes: number): StreamLog {
  const truncated = seenBytes > tail.length;
  let start = 0;
  if (truncated) while (start < Math.min(3, tail.length) && (tail[start]! & 0xc0) === 0x80) start++;
  return { text: Buffer.from(tail.subarray(start)).toString('utf8').replaceAll('\u0000', '\uFFFD'), truncated };
}

/** Reads a stream to its end (or its error), keeping its tail. A null stream (not piped) is empty. */
export function captureTail(stream: Readable | null, maxBytes: number = TAIL_BYTES): Promise<TailBuffer> {
  const tail = tailBuffer(maxBytes);
  return new Promise((resolve) => {
    if (stream === null) return resolve(tail);
    stream.on('data', (chunk: Buffer) => tail.push(chunk));
    stream.once('end', () => resolve(tail));
    stream.once('error', () => resolve(tail));
  });
}
