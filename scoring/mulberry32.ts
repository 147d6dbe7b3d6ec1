/**
 * mulberry32 (Tommy Ettinger's 32-bit generator, public domain): uniform numbers in [0, 1) with 2^32
 * states, the same sequence for the same seed on every machine. Used for the corruptions' per-image noise
 * and for reproducible jitter in the queue's tests; not for cryptography. Pure.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
