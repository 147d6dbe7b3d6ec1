import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cpuMicrosToJiffies, parseCpuList, readAllowedCores, readProcessJiffies } from './process-cpu.js';

const RPI4_PROC = fileURLToPath(new URL('./fixtures/rpi4/proc', import.meta.url));

describe("a process's CPU time and cores", () => {
  it('reads utime + stime after the command name, even one holding a space and a parenthesis', async () => {
    expect(await readProcessJiffies(RPI4_PROC, 'self')).toBe(812 + 95);
    expect(await readProcessJiffies(RPI4_PROC, 4242)).toBe(1234 + 56);
    expect(await readProcessJiffies(RPI4_PROC, 999)).toBeNull();
  });

  it('reads Cpus_allowed_list', async () => {
    expect(await readAllowedCores(RPI4_PROC, 'self')).toEqual([0, 1, 2, 3]);
    expect(await readAllowedCores(RPI4_PROC, 4242)).toEqual([3]);
    expect(await readAllowedCores(RPI4_PROC, 999)).toBeNull();
  });

  it('parses kernel cpu lists and refuses malformed ones', () => {
    expect(parseCpuList('0-3,5')).toEqual([0, 1, 2, 3, 5]);
    expect(parseCpuList('7\n')).toEqual([7]);
    expect(parseCpuList('4-7,0,2')).toEqual([0, 2, 4, 5, 6, 7]);
    for (const bad of ['', '3-1', '1,,2', 'a', '0-', '-1']) expect(parseCpuList(bad), bad).toBeNull();
  });

  it('converts microseconds of CPU time to whole jiffies (10 ms each)', () => {
    expect(cpuMicrosToJiffies(0)).toBe(0);
    expect(cpuMicrosToJiffies(1_234_567)).toBe(123);
    expect(cpuMicrosToJiffies(4_999)).toBe(0);
    expect(cpuMicrosToJiffies(5_000)).toBe(1);
  });

  it("reads a real process: the affinity taskset gave it, and this process's CPU time growing as it computes", async () => {
    const allowed = (await readAllowedCores('/proc', 'self'))!;
    expect(allowed.length).toBeGreaterThan(0);
    const core = allowed[allowed.length - 1]!;
    const child = execa('taskset', ['-c', String(core), 'sleep', '30'], { stdin: 'ignore', reject: false });
    try {
      // taskset sets the affinity and then execs sleep: poll until the pid is sleep with its new affinity.
      let cores: number[] | null = null;
      const deadline = Date.now() + 30_000;
      while (!(cores?.length === 1 && cores[0] === core) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
        cores = await readAllowedCores('/proc', child.pid!);
      }
      expect(cores).toEqual([core]);
    } finally {
      child.kill('SIGKILL');
      await child;
    }
    // CPU time, not wall time: spin until this process has used 300 ms by its own account (getrusage).
    const j0 = (await readProcessJiffies('/proc', 'self'))!;
    const u0 = process.cpuUsage();
    for (;;) {
      const u = process.cpuUsage(u0);
      if (u.user + u.system >= 300_000) break;
    }
    const j1 = (await readProcessJiffies('/proc', 'self'))!;
    // 30 jiffies by getrusage; /proc's utime is the same runtime split into ticks, so allow a few either way.
    expect(j1 - j0).toBeGreaterThanOrEqual(25);
  });
});
