import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { localEnvironmentProbe } from './local-probe.js';
import { readAllowedCores } from './process-cpu.js';

const RPI4 = fileURLToPath(new URL('./fixtures/rpi4', import.meta.url));

describe('localEnvironmentProbe', () => {
  it('reads a Pi 4 tree: the allowed cores by default, their jiffies and cpufreq, the load and the zones', async () => {
    const probe = localEnvironmentProbe({ procRoot: `${RPI4}/proc`, sysRoot: `${RPI4}/sys`, now: () => 1_700_000_000_000 });
    expect(await probe.cores()).toEqual([0, 1, 2, 3]);
    const s = await probe.snapshot();
    expect(s.t).toBe(1_700_000_000_000);
    expect(s.loadAvg1).toBe(0.08);
    expect(s.cpu).toHaveLength(4);
    expect(s.cpu[0]).toEqual({ core: 0, busyJiffies: 15189, totalJiffies: 735324 });
    expect(s.cpufreq.map((f) => [f.core, f.curKHz, f.governor])).toEqual([0, 1, 2, 3].map((c) => [c, 1500000, 'ondemand']));
    expect(s.thermalC).toEqual({ 'cpu-thermal': 47.238 });
    expect(s.phone).toBeUndefined();
  });

  it('reads only the cores it is given', async () => {
    const s = await localEnvironmentProbe({ cores: [3, 1], procRoot: `${RPI4}/proc`, sysRoot: `${RPI4}/sys` }).snapshot();
    expect(s.cpu.map((c) => c.core)).toEqual([1, 3]);
    expect(s.cpufreq.map((c) => c.core)).toEqual([1, 3]);
  });

  it("reads this machine: this process's allowed cores, whatever cpufreq and thermal sysfs it has", async () => {
    const probe = localEnvironmentProbe();
    const allowed = await readAllowedCores('/proc', 'self');
    expect(await probe.cores()).toEqual(allowed);
    const s = await probe.snapshot();
    expect(s.cpu.map((c) => c.core)).toEqual(allowed);
    expect(s.loadAvg1).toBeGreaterThanOrEqual(0);
    expect(Math.abs(s.t - Date.now())).toBeLessThan(60_000);
    for (const f of s.cpufreq) expect(allowed).toContain(f.core);
  });
});
