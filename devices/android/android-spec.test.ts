import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { parseAndroidSpec } from './android-spec.js';

describe('adb:// device specs', () => {
  it('reads every key, with defaults', () => {
    expect(parseAndroidSpec('adb://98281FFAZ009SV')).toEqual({
      serial: '98281FFAZ009SV',
      threads: 1,
      benchmarkPath: '/data/local/tmp/benchmark_model',
      runnerPath: '/data/local/tmp/lpcv_accuracy_runner',
      power: { kind: 'none' },
      workdir: '/data/local/tmp/lpcv',
      kind: 'android',
    });
    expect(
      parseAndroidSpec(
        'adb://LMG820?cores=4-7&threads=2&benchmark=/data/local/tmp/bm&runner=/data/local/tmp/r&power=battery&workdir=/sdcard/x/&name=lg-g8&kind=android-dsp',
      ),
    ).toEqual({
      serial: 'LMG820',
      cores: [4, 5, 6, 7],
      threads: 2,
      benchmarkPath: '/data/local/tmp/bm',
      runnerPath: '/data/local/tmp/r',
      power: { kind: 'battery' },
      workdir: '/sdcard/x',
      name: 'lg-g8',
      kind: 'android-dsp',
    });
  });
  it('takes adb-over-TCP serials and percent-encoded paths', () => {
    expect(parseAndroidSpec('adb://192.168.1.20:5555').serial).toBe('192.168.1.20:5555');
    expect(parseAndroidSpec(`adb://S?workdir=${encodeURIComponent("/data/local/tmp/it's here")}`).workdir).toBe("/data/local/tmp/it's here");
  });
  for (const bad of [
    'ssh://x',
    'adb://',
    'adb://-s',
    'adb://a b',
    'adb://S?color=red',
    'adb://S?threads=0',
    'adb://S?threads=two',
    'adb://S?benchmark=bm',
    'adb://S?cores=9-1',
    'adb://S?name=-x',
    'adb://S?threads=1&threads=2',
    'adb://%zz',
  ]) {
    it(`refuses ${bad}`, () => {
      let code: string | undefined;
      try {
        parseAndroidSpec(bad);
      } catch (e) {
        code = e instanceof LpcvError ? e.code : 'not coded';
      }
      expect(code).toBe('LPCV_E_ANDROID_SPEC');
    });
  }
  it('takes power= in the one grammar, with the sources a phone has: its battery (in another power_supply folder too), none', () => {
    expect(parseAndroidSpec('adb://S?power=battery').power).toEqual({ kind: 'battery' });
    expect(parseAndroidSpec(`adb://S?power=${encodeURIComponent('battery:/sys/class/power_supply/bms')}`).power).toEqual({
      kind: 'battery',
      dir: '/sys/class/power_supply/bms',
    });
    expect(parseAndroidSpec('adb://S?power=none').power).toEqual({ kind: 'none' });
  });
  for (const [power, why] of [
    ['usb', 'unknown power source "usb"'],
    ['battery:bms', 'a power_supply folder on the phone is an absolute path'],
    ['rapl', 'rapl is not a power source for adb phones'],
    ['hwmon:ina226', 'hwmon is not a power source for adb phones'],
    ['scpi://10.0.0.5:10001', 'scpi is not a power source for adb phones'],
  ] as const) {
    it(`refuses power=${power} (LPCV_E_POWER_SPEC, naming what phones take)`, () => {
      let e: unknown;
      try {
        parseAndroidSpec(`adb://S?power=${power}`);
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(LpcvError);
      expect((e as LpcvError).code).toBe('LPCV_E_POWER_SPEC');
      expect((e as LpcvError).message).toContain(
        `device spec "adb://S?power=${power}": power="${power}": ${why}; adb phones take power=battery[:<power_supply folder>]|none`,
      );
    });
  }
});
