import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/support/lpcv-errors.js';
import { SpecSettings, parseDeviceSpec } from './device-spec.js';

describe('device specs', () => {
  it('parses the three drivers with their addresses, names and settings', () => {
    expect(parseDeviceSpec('desktop')).toMatchObject({ driver: 'desktop', address: '', settings: {} });
    expect(parseDeviceSpec('desktop?name=box-1&power=rapl')).toMatchObject({ driver: 'desktop', name: 'box-1', settings: { power: 'rapl' } });
    expect(parseDeviceSpec('ssh://xilinx@ultra96?power=pynq')).toMatchObject({ driver: 'ssh', user: 'xilinx', host: 'ultra96', port: 22, address: 'xilinx@ultra96:22', settings: { power: 'pynq' } });
    expect(parseDeviceSpec('ssh://pi@10.0.0.7:2222?key=/etc/lpcv/id_ed25519&name=rpi-3')).toMatchObject({ port: 2222, name: 'rpi-3', settings: { key: '/etc/lpcv/id_ed25519' } });
    // Serials are case-sensitive (URL would lower-case a host).
    expect(parseDeviceSpec('adb://9A1Bc0FFEE?cores=4-7')).toMatchObject({ driver: 'adb', serial: '9A1Bc0FFEE', settings: { cores: '4-7' } });
  });

  it.each([
    ['', /empty/],
    ['laptop', /expected desktop, ssh/],
    ['ssh://host-only', /no user/],
    ['ssh://u:secret@host', /passwords are not accepted/],
    ['ssh://u@host/path', /unexpected path/],
    ['desktop?name=-bad', /name=/],
    ['desktop?power=rapl&power=hwmon', /given twice/],
    ['adb://bad$serial', /not a valid URL|serial/],
    ['adb://me@SERIAL', /serial, not user@/],
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
