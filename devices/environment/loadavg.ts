import path from 'node:path';
import { readText } from './read-text.js';

/** The 1-minute load average: the first field of /proc/loadavg (`0.52 0.58 0.59 1/467 12345`); null when absent. */
export function parseLoadAvg1(text: string): number | null {
  const first = text.trim().split(/\s+/)[0] ?? '';
  return /^\d+(\.\d+)?$/.test(first) ? Number(first) : null;
}

export async function readLoadAvg1(procRoot: string): Promise<number | null> {
  const text = await readText(path.join(procRoot, 'loadavg'));
  return text === null ? null : parseLoadAvg1(text);
}
