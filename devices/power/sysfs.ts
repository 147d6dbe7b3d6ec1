/**
 * Reading sysfs attribute files: one short line of text each. A file that is missing or unreadable is a
 * coded error naming the path (LPCV_E_POWER_READ during a run; the open-time probes turn it into
 * LPCV_E_POWER_NO_SENSOR), and a value that is not a decimal integer is LPCV_E_POWER_VALUE.
 */
import { readFile, readdir } from 'node:fs/promises';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { ErrorCode } from '../../errors/codes.js';

function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

function why(e: unknown, path: string): string {
  switch (errno(e)) {
    case 'ENOENT':
      return `${path} does not exist`;
    case 'EACCES':
    case 'EPERM':
      return `${path} is not readable by this user`;
    default:
      return `${path} cannot be read (${e instanceof Error ? e.message : String(e)})`;
  }
}

export async function readAttribute(path: string, code: ErrorCode = 'LPCV_E_POWER_READ'): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (e) {
    throw new LpcvError(code, why(e, path));
  }
}

/** A decimal integer as sysfs prints it (optionally signed): the only thing these attributes hold. */
export function parseInteger(text: string, what: string): number {
  const s = text.trim();
  if (!/^[+-]?\d+$/.test(s)) throw new LpcvError('LPCV_E_POWER_VALUE', `${what} holds ${JSON.stringify(s.slice(0, 40))}, not an integer`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new LpcvError('LPCV_E_POWER_VALUE', `${what} holds ${s}, too large to read exactly`);
  return n;
}

export async function readInteger(path: string, code: ErrorCode = 'LPCV_E_POWER_READ'): Promise<number> {
  return parseInteger(await readAttribute(path, code), path);
}

/** Entries of a directory, sorted; [] when it does not exist. */
export async function listDir(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return [];
    throw new LpcvError('LPCV_E_POWER_NO_SENSOR', why(e, path));
  }
}
