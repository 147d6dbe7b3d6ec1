import { createHash } from 'node:crypto';

export { mulberry32 } from '../../../scoring/mulberry32.js';

/**
 * Seeded randomness for the corruptions. Each image gets its own generator, seeded from (track seed,
 * corruption kind, severity, image id) through SHA-256, so that one image's noise never depends on which
 * images were read before it, in what order, or on which machine.
 */

/** The 32-bit seed of one image's corruption: the first 4 bytes (big-endian) of SHA-256 over the four parts. */
export function imageSeed(trackSeed: number, kind: string, severity: number, id: string): number {
  const h = createHash('sha256').update(`lpcv-corruption\0${trackSeed}\0${kind}\0${severity}\0${id}`, 'utf8').digest();
  return h.readUInt32BE(0);
}

/** Standard normal numbers from a uniform generator (Box-Muller, both values of each pair used). */
export function normals(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    // 1 - u is in (0, 1]: log never sees 0.
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
}
