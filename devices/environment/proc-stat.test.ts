import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseProcStat, readCpuJiffies } from './proc-stat.js';
import { readAllowedCores } from './process-cpu.js';

const RPI4_PROC = fileURLToPath(new URL('./fixtures/rpi4/proc', import.meta.url));

describe('parseProcStat', () => {
  it('sums user nice system irq softirq steal as busy and adds idle and iowait for the total (a Pi 4, by hand)', () => {
    const cores = parseProcStat(readFileSync(`${RPI4_PROC}/stat`, 'utf8'));
    expect(cores.map((c) => c.core)).toEqual([0, 1, 2, 3]);
    expect(cores[0]).toEqual({ core: 0, busyJiffies: 15189, totalJiffies: 735324 });
    expect(cores[3]).toEqual({ core: 3, busyJiffies: 13680, totalJiffies: 735407 });
  });

  it('counts steal as busy and leaves guest and guest_nice out (the kernel already has them in user and nice)', () => {
    // A KVM host's line: user 1000 (of which guest 300), nice 20 (guest_nice 5), steal 7.
    const [c] = parseProcStat('cpu  1 1 1 1 1 1 1 1 1 1\ncpu7 1000 20 200 5000 40 3 4 7 300 5\n');
    expect(c).toEqual({ core: 7, busyJiffies: 1000 + 20 + 200 + 3 + 4 + 7, totalJiffies: 1234 + 5000 + 40 });
  });

  it("reads an old kernel's shorter lines (no steal, no guest) with the missing fields as 0", () => {
    expect(parseProcStat('cpu0 10 2 30 400 5 6 7\n')).toEqual([{ core: 0, busyJiffies: 10 + 2 + 30 + 6 + 7, totalJiffies: 55 + 400 + 5 }]);
  });

  it("skips the aggregate line and lines that are not a core's (intr, softirq, garbage), and sorts by core", () => {
    expect(parseProcStat('cpu  9 9 9 9\ncpu1 1 0 0 9\ncpux 1 2\ncpu0 2 0 0 8\nintr 1 2 3\ncpu2 a b\n').map((c) => c.core)).toEqual([0, 1]);
  });
});

describe('readCpuJiffies', () => {
  it('keeps only the cores asked for, and gives [] for a tree without /proc/stat', async () => {
    expect((await readCpuJiffies(RPI4_PROC, [1, 3])).map((c) => c.core)).toEqual([1, 3]);
    expect(await readCpuJiffies('/nonexistent-proc')).toEqual([]);
  });

  it("reads this machine's real /proc/stat: every allowed core, busy <= total, counters that only grow", async () => {
    const allowed = (await readAllowedCores('/proc', 'self'))!;
    const a = await readCpuJiffies('/proc', allowed);
    expect(a.map((c) => c.core)).toEqual(allowed);
    await new Promise((r) => setTimeout(r, 30));
    const b = await readCpuJiffies('/proc', allowed);
    for (let i = 0; i < a.length; i++) {
      expect(a[i]!.busyJiffies).toBeLessThanOrEqual(a[i]!.totalJiffies);
      expect(b[i]!.busyJiffies).toBeGreaterThanOrEqual(a[i]!.busyJiffies);
      expect(b[i]!.totalJiffies).toBeGreaterThanOrEqual(a[i]!.totalJiffies);
    }
  });
});
