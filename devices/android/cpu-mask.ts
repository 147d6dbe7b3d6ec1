import { LpcvError } from '../../errors/lpcv-error.js';

/**
 * A cores list as the kernel writes one (`4-7`, `0,2,4-5`, `7`) into core numbers and into the hex
 * affinity mask that Android's `taskset` takes (`taskset f0 ...` pins to cores 4-7: bit n is core n).
 */

/** The largest core number accepted: phones have 8-10 cores; 63 keeps the mask in one 64-bit word. */
export const MAX_CORE = 63;

export function parseCores(list: string): number[] {
  const cores = new Set<number>();
  const bad = (why: string): LpcvError => new LpcvError('LPCV_E_ANDROID_SPEC', `cores=${JSON.stringify(list)}: ${why} (expected e.g. 4-7 or 0,2,4-5)`);
  if (list.trim() === '') throw bad('empty');
  for (const part of list.split(',')) {
    const m = /^\s*(\d{1,2})\s*(?:-\s*(\d{1,2})\s*)?$/.exec(part);
    if (m === null) throw bad(`${JSON.stringify(part)} is not a core or a range`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw bad(`the range ${lo}-${hi} runs backwards`);
    if (hi > MAX_CORE) throw bad(`core ${hi} is above ${MAX_CORE}`);
    for (let c = lo; c <= hi; c++) cores.add(c);
  }
  return [...cores].sort((a, b) => a - b);
}

/** Lower-case hex without 0x, as `taskset` prints and reads it: [4,5,6,7] -> "f0", [0] -> "1". */
export function coresToMask(cores: readonly number[]): string {
  if (cores.length === 0) throw new LpcvError('LPCV_E_ANDROID_SPEC', 'no cores to pin to');
  let mask = 0n;
  for (const c of cores) {
    if (!Number.isInteger(c) || c < 0 || c > MAX_CORE) throw new LpcvError('LPCV_E_ANDROID_SPEC', `core ${c} is not in 0-${MAX_CORE}`);
    mask |= 1n << BigInt(c);
  }
  return mask.toString(16);
}
