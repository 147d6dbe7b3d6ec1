import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { chooseBoardRails, extraHwmonDirs, HWMON_LIST_SCRIPT, parseHwmonListing, parsePowerLines } from './board-power.js';

const SYS = fileURLToPath(new URL('./fixtures/sys', import.meta.url));

/** The listing script run by a local sh over the fixture tree, as the board's shell runs it. */
async function listing(select = ''): Promise<string> {
  const r = await execa('sh', ['-c', HWMON_LIST_SCRIPT, 'sh', SYS, ...extraHwmonDirs(select)], { stdin: 'ignore' });
  return r.stdout;
}

describe('board power: hwmon listing, rail choice and the loop lines', () => {
  it('lists the fixture devices and chooses rails with hwmon.ts (power*_input first, else in/curr pairs)', async () => {
    const devices = parseHwmonListing(await listing());
    expect(devices.map((d) => [d.id, d.name])).toEqual([
      ['hwmon0', 'ir38060'],
      ['hwmon1', 'ina226'],
    ]);
    const both = chooseBoardRails(devices, 'ir38060,ina226');
    expect(both.source).toBe('hwmon:ir38060/pout1+ina226/in1');
    expect(both.files).toEqual([`${SYS}/class/hwmon/hwmon0/power1_input`, `${SYS}/class/hwmon/hwmon1/in1_input`, `${SYS}/class/hwmon/hwmon1/curr1_input`]);
    // 4 W from power1_input (not in1 x curr1 = 6 W) plus 5 V x 0.6 A.
    expect(both.rails.reduce((w, r) => w + r.rail.watts, 0)).toBeCloseTo(7, 12);
  });

  it('takes an absolute device folder outside the root too, and refuses a choice that is not one rail per term', async () => {
    const dir = `${SYS}/class/hwmon/hwmon1`;
    const one = chooseBoardRails(parseHwmonListing(await listing(dir)), dir);
    expect(one.files).toEqual([`${dir}/in1_input`, `${dir}/curr1_input`]);
    const e = (() => {
      try {
        chooseBoardRails(parseHwmonListing(''), '');
      } catch (err) {
        return err;
      }
    })();
    expect((e as LpcvError).code).toBe('LPCV_E_POWER_NO_SENSOR');
    expect(() => chooseBoardRails(parseHwmonListing(''), 'ina226')).toThrow(LpcvError);
  });

  it('turns the loop lines into samples: ms from the window start (ns exactly, as BigInt), summed watts', async () => {
    const board = chooseBoardRails(parseHwmonListing(await listing()), 'ir38060,ina226');
    const start = 1_733_000_000_123_456_789n; // beyond 2^53: a Number would lose the last digits
    const lines = [`${start - 1_000_000n}\t4000000\t5000\t600`, `${start + 50_500_000n}\t2000000\t5000\t1000`, `${start + 100_000_001n}\t4000000\t4000`].join(
      '\n',
    );
    const samples = parsePowerLines(`${lines}\n`, board, start);
    // The last line was cut short (the loop was killed mid-write): dropped.
    expect(samples).toEqual([
      { t: -1, watts: 7 },
      { t: 50.5, watts: 7 },
    ]);
    expect(() => parsePowerLines(`${start}\t\t5000\t600\n${start + 1n}\t1\t1\t1\n`, board, start)).toThrow(/could not be read/);
    expect(() => parsePowerLines(`${start}\tNaN\t5000\t600\n`, board, start)).toThrow(LpcvError);
    expect(() => parsePowerLines(`garbage\n${start}\t1\t1\t1\n`, board, start)).toThrow(/malformed/);
  });
});
