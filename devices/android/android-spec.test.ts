import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { parseAndroidSpec } from './android-spec.js';

describe('adb:// device specs', () => {
  it('reads every key, with defaults', () => {
    expect(parseAndroidSpec('adb://98281FFAZ009SV')).toEqual({
      serial: '98281FFAZ009SV', threads: 1, benchmarkPath: '/data/local/tmp/benchmark_model', runnerPath: '/data/local/tmp/lpcv_accuracy_runner', power: 'none', workdir: '/data/local/tmp/lpcv', kind: 'android',
    });
    expect(parseAndroidSpec('adb://LMG820?cores=4-7&threads=2&benchmark=/data/local/tmp/bm&runner=/data/local/tmp/r&power=battery&workdir=/sdcard/x/&name=lg-g8&kind=android-dsp')).toEqual({
      serial: 'LMG820', cores: [4, 5, 6, 7], threads: 2, benchmarkPath: '/data/local/tmp/bm', runnerPath: '/data/local/tmp/r', power: 'battery', workdir: '/sdcard/x', name: 'lg-g8', kind: 'android-dsp',
    });
  });
  it('takes adb-over-TCP serials and percent-encoded paths', () => {
    expect(parseAndroidSpec('adb://192.168.1.20:5555').serial).toBe('192.168.1.20:5555');
    expect(parseAndroidSpec(`adb://S?workdir=${encodeURIComponent("/data/local/tmp/it's here")}`).workdir).toBe("/data/local/tmp/it's here");
  });
  for (const bad of ['ssh://x', 'adb://', 'adb://-s', 'adb://a b', 'adb://S?color=red', 'adb://S?threads=0', 'adb://S?threads=two', 'adb://S?power=usb', 'adb://S?benchmark=bm', 'adb://S?cores=9-1', 'adb://S?name=-x', 'adb://S?threads=1&threads=2', 'adb://%zz']) {
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
});
