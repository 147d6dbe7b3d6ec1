import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureTree, type FixtureTree } from '../power/testing/sysfs-fixtures.js';
import { readCpufreq } from './cpufreq.js';

const fixture = (board: string): string => fileURLToPath(new URL(`./fixtures/${board}/sys`, import.meta.url));

describe('readCpufreq', () => {
  let tree: FixtureTree | undefined;
  afterEach(async () => {
    await tree?.close();
    tree = undefined;
  });

  it('reads scaling_cur_freq, cpuinfo_max_freq and the governor of each core asked for (a Pi 4, a Jetson Nano)', async () => {
    expect(await readCpufreq(fixture('rpi4'), [0, 3])).toEqual([
      { core: 0, curKHz: 1500000, maxKHz: 1500000, governor: 'ondemand' },
      { core: 3, curKHz: 1500000, maxKHz: 1500000, governor: 'ondemand' },
    ]);
    expect((await readCpufreq(fixture('jetson-nano'), [1]))[0]).toEqual({ core: 1, curKHz: 1479000, maxKHz: 1479000, governor: 'schedutil' });
  });

  it('leaves out a core without cpufreq (a core the board does not have, a VM) and gives null for a missing file', async () => {
    expect(await readCpufreq(fixture('rpi4'), [7])).toEqual([]);
    expect(await readCpufreq('/nonexistent-sys', [0])).toEqual([]);
    tree = await fixtureTree({ 'devices/system/cpu/cpu0/cpufreq/scaling_cur_freq': 600000, 'devices/system/cpu/cpu0/cpufreq/scaling_governor': 'bogus value' });
    await tree.write({ 'devices/system/cpu/cpu1/cpufreq/cpuinfo_max_freq': 'n/a' });
    expect(await readCpufreq(tree.root, [0, 1])).toEqual([{ core: 0, curKHz: 600000, maxKHz: null, governor: 'bogus value' }]);
  });
});
