import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseLoadAvg1, readLoadAvg1 } from './loadavg.js';

describe('load average', () => {
  it('takes the first field of /proc/loadavg', async () => {
    expect(await readLoadAvg1(fileURLToPath(new URL('./fixtures/rpi4/proc', import.meta.url)))).toBe(0.08);
    expect(parseLoadAvg1('12.75 9.01 8.20 9/611 30211\n')).toBe(12.75);
  });

  it('is null when absent or not a number, and a number on this machine', async () => {
    expect(await readLoadAvg1('/nonexistent-proc')).toBeNull();
    expect(parseLoadAvg1('')).toBeNull();
    expect(parseLoadAvg1('x 1 2')).toBeNull();
    expect(await readLoadAvg1('/proc')).toBeGreaterThanOrEqual(0);
  });
});
