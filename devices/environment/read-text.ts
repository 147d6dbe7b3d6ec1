import { readdir, readFile } from 'node:fs/promises';

/**
 * The environment readers' file access. Unlike the power samplers' (devices/power/sysfs.ts), a file that cannot
 * be read is not an error here: a device that does not expose a reading (no cpufreq in a VM, no thermal zone,
 * a zone whose sensor answers EINVAL while it is off) simply has none, and the snapshot leaves it out.
 */
export async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

/** A decimal integer file (sysfs attributes end with a newline); null when unreadable or not an integer. */
export async function readIntegerOrNull(file: string): Promise<number | null> {
  const s = (await readText(file))?.trim();
  return s !== undefined && /^-?\d+$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : null;
}

/** Entries of a folder, [] when it cannot be listed. */
export async function listOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}
