import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { SpecSettings, parseDeviceSpec } from './device-spec.js';

describe('device specs', () => {
  it("tells the drivers apart and parses the desktop's settings", () => {
    expect(parseDeviceSpec('desktop')).toEqual({ driver: 'desktop', text: 'desktop', settings: {} });
    expect(parseDeviceSpec('desktop?name=box-1&power=rapl')).toEqual({
      driver: 'desktop',
      text: 'desktop?name=box-1&power=rapl',
      name: 'box-1',
      settings: { power: 'rapl' },
    });
    expect(parseDeviceSpec(' ssh://xilinx@ultra96?power=pynq ')).toEqual({ driver: 'ssh', text: 'ssh://xilinx@ultra96?power=pynq', settings: {} });
    expect(parseDeviceSpec('adb://9A1Bc0FFEE?cores=4-7')).toMatchObject({ driver: 'adb', text: 'adb://9A1Bc0FFEE?cores=4-7' });
  });

  it.each([
    ['', /empty/],
    ['laptop', /expected desktop, ssh/],
    ['ssh:pi@board', /expected desktop, ssh/],
    ['desktop?name=-bad', /name=/],
    ['desktop?power=rapl&power=hwmon', /given twice/],
  ])('refuses %j with LPCV_E_DEVICE_SPEC', (spec, message) => {
    const e = errorOf(() => parseDeviceSpec(spec));
    expect(e.code).toBe('LPCV_E_DEVICE_SPEC');
    expect(e.message).toMatch(message);
  });

  it('lets a driver take its settings and refuses the ones it did not take', () => {
    const s = new SpecSettings(parseDeviceSpec('desktop?threads=2&colour=blue'));
    expect(s.positiveInt('threads')).toBe(2);
    expect(errorOf(() => s.done()).message).toMatch(/unknown setting\(s\) for the desktop driver: colour/);
    expect(errorOf(() => new SpecSettings(parseDeviceSpec('desktop?threads=0')).positiveInt('threads')).message).toMatch(/whole number > 0/);
  });
});
