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
  it("builds each driver with the spec's name and kind", async () => {
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

  it('takes one power= grammar, and each driver refuses at start-up the sources it does not have, naming its own', async () => {
    const refusal = async (spec: string) => {
      const e = await rejectionOf(make(spec));
      expect(e.code, spec).toBe('LPCV_E_POWER_SPEC');
      return e.message;
    };
    expect(await refusal('desktop?power=battery')).toContain(
      'power="battery": battery is not a power source for desktop devices; desktop devices take power=rapl[:<zone>]|hwmon[:<rails>]|pynq[:<rails>]|ina3221[:<path or rail>]|nvidia-smi[:<gpu>]|scpi://<host>:<port>[?element=1|2|3|SIGMA]|none',
    );
    expect(await refusal('ssh://xilinx@ultra96?key=/k&kind=ultra96-v2&power=rapl')).toContain(
      'rapl is not a power source for ssh boards; ssh boards take power=hwmon[:<rails>]|pynq[:<rails>]|scpi://',
    );
    expect(await refusal('adb://SERIAL?power=hwmon')).toContain(
      'hwmon is not a power source for adb phones; adb phones take power=battery[:<power_supply folder>]|none',
    );
    // The same bad value is refused the same way by every driver.
    for (const spec of ['desktop?power=hwmon:a,,b', 'ssh://xilinx@ultra96?key=/k&kind=ultra96-v2&power=hwmon:a,,b', 'adb://SERIAL?power=hwmon:a,,b']) {
      expect(await refusal(spec)).toContain('power="hwmon:a,,b": an empty rail between commas');
    }
    // What each driver takes, it takes: a meter on a board (probed when the board is), a battery folder on a phone.
    const board = await make('ssh://pi@rpi?key=/k&kind=raspberry-pi&power=scpi://10.0.0.5:10001');
    expect(board.capabilities()).toMatchObject({ power: 'scpi://10.0.0.5:10001', powerPeriodMs: 250 });
    const phone = await make(`adb://SERIAL?power=${encodeURIComponent('battery:/sys/class/power_supply/bms')}`);
    expect(phone.capabilities()).toMatchObject({ power: 'battery:/sys/class/power_supply/bms' });
  });
});
