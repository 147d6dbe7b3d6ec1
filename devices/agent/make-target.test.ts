import { describe, expect, it } from 'vitest';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { AndroidTarget } from '../android/android-target.js';
import { SshTarget } from '../ssh/ssh-target.js';
import { MultiFormatTarget } from '../targets/multi-format-target.js';
import { OnnxTarget } from '../desktop/onnx-target.js';
import { parseDeviceSpec } from './device-spec.js';
import { makeTarget } from './make-target.js';

const make = (spec: string) => makeTarget(parseDeviceSpec(spec));

describe('targets from device specs', () => {
  it('builds each driver with the spec\'s name and kind', async () => {
    const desktop = await make('desktop?name=box&kind=lab-desktop');
    expect(desktop).toBeInstanceOf(MultiFormatTarget);
    expect([desktop.name, desktop.kind, [...desktop.formats]]).toEqual(['box', 'lab-desktop', ['onnx', 'zip']]);
    const onnxOnly = await make('desktop?name=box&solution=off');
    expect(onnxOnly).toBeInstanceOf(OnnxTarget);
    expect([...onnxOnly.formats]).toEqual(['onnx']);
    const board = await make('ssh://xilinx@ultra96?key=/etc/lpcv/id_ed25519&kind=ultra96-v2&name=u96-1');
    expect(board).toBeInstanceOf(SshTarget);
    expect([board.name, board.kind]).toEqual(['u96-1', 'ultra96-v2']);
    const phone = await make('adb://9A1Bc0FFEE?cores=4-7');
    expect(phone).toBeInstanceOf(AndroidTarget);
    expect(phone.kind).toBe('android');
    expect(phone.formats).toEqual(['tflite']);
  });

  it('refuses at start-up: an unknown desktop setting, a bad board spec, a power sensor that is not there', async () => {
    expect((await rejectionOf(make('desktop?colour=blue'))).code).toBe('LPCV_E_DEVICE_SPEC');
    expect((await rejectionOf(make('desktop?solution=maybe'))).code).toBe('LPCV_E_DEVICE_SPEC');
    expect((await rejectionOf(make('ssh://xilinx@ultra96?colour=blue'))).code).toBe('LPCV_E_SSH_SPEC');
    expect((await rejectionOf(make('adb://SERIAL?colour=blue'))).code).toBe('LPCV_E_ANDROID_SPEC');
    expect((await rejectionOf(make('desktop?power=no-such-source'))).code).toBe('LPCV_E_POWER_SPEC');
    // No meter listens on port 1 of loopback: the sampler's probe at open fails, so the agent never starts.
    expect((await rejectionOf(make('desktop?power=scpi://127.0.0.1:1'))).code).toMatch(/^LPCV_E_POWER_/);
  });
});
