import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { DEFAULT_DROP_CACHES, parseSshSpec, SSH_SPEC_KEYS } from './ssh-spec.js';

function refused(spec: string): string {
  try {
    parseSshSpec(spec);
  } catch (e) {
    expect(e).toBeInstanceOf(LpcvError);
    expect((e as LpcvError).code).toBe('LPCV_E_SSH_SPEC');
    return (e as LpcvError).message;
  }
  throw new Error(`accepted ${spec}`);
}

describe('parseSshSpec', () => {
  it('reads every key, with defaults for the optional ones', () => {
    const s = parseSshSpec(
      'ssh://xilinx@ultra96:2222?key=/k/id_ed25519&kind=ultra96-v2&known_hosts=/k/known_hosts&power=hwmon:irps5401/VCCINT,/sys/class/hwmon/hwmon3&hwmon_root=/fixture/sys&workdir=/home/xilinx/lpcv&name=u96-a&period_ms=20&connect_timeout_s=5',
    );
    expect(s).toEqual({
      user: 'xilinx',
      host: 'ultra96',
      port: 2222,
      key: '/k/id_ed25519',
      knownHosts: '/k/known_hosts',
      kind: 'ultra96-v2',
      name: 'u96-a',
      power: { kind: 'hwmon', select: 'irps5401/VCCINT,/sys/class/hwmon/hwmon3', root: '/fixture/sys' },
      workdir: '/home/xilinx/lpcv',
      periodMs: 20,
      connectTimeoutS: 5,
      dropCachesCommand: DEFAULT_DROP_CACHES,
    });
    const d = parseSshSpec('ssh://pi@10.0.0.7?key=~/.ssh/id_ed25519&kind=raspberry-pi');
    expect(d).toMatchObject({ port: 22, power: { kind: 'none' }, workdir: '/tmp/lpcv', name: 'ssh-10.0.0.7', periodMs: 50, connectTimeoutS: 10 });
    expect(d.key).toBe(`${os.homedir()}/.ssh/id_ed25519`);
    expect(d.knownHosts).toBe(`${os.homedir()}/.ssh/known_hosts`);
    expect(Object.isFrozen(d)).toBe(true);
  });

  it('takes commands URL-encoded, and an IPv6 address without its brackets', () => {
    const q = new URLSearchParams({
      key: '/k',
      kind: 'jetson-nano',
      drop_caches_cmd: 'sudo -n sh -c "sync; echo 3 > /proc/sys/vm/drop_caches"',
      lock_cmd: 'sudo -n /usr/local/sbin/lpcv-lock',
      unlock_cmd: 'sudo -n /usr/local/sbin/lpcv-unlock',
    });
    const s = parseSshSpec(`ssh://nano@[::1]:22?${q.toString()}`);
    expect(s.host).toBe('::1');
    expect(s.dropCachesCommand).toBe('sudo -n sh -c "sync; echo 3 > /proc/sys/vm/drop_caches"');
    expect(s.lockCommand).toBe('sudo -n /usr/local/sbin/lpcv-lock');
    expect(s.unlockCommand).toBe('sudo -n /usr/local/sbin/lpcv-unlock');
  });

  it('refuses unknown keys (naming the known ones), passwords, and missing or bad values', () => {
    expect(refused('ssh://pi@h?key=/k&kind=raspberry-pi&powr=none')).toMatch(/unknown key "powr".*power/);
    const pw = refused('ssh://pi:hunter2@h?key=/k&kind=raspberry-pi');
    expect(pw).toMatch(/password/);
    expect(pw).not.toContain('hunter2');
    expect(refused('ssh://h?key=/k&kind=raspberry-pi')).toMatch(/user/);
    expect(refused('ssh://pi@h?kind=raspberry-pi')).toMatch(/key=/);
    expect(refused('ssh://pi@h?key=/k')).toMatch(/kind=/);
    expect(refused('ssh://pi@h?key=/k&kind=Raspberry_Pi')).toMatch(/kind=/);
    expect(refused('ssh://pi@h?key=/k&kind=raspberry-pi&power=hwmon&hwmon_root=sys')).toMatch(/absolute/);
    expect(refused('ssh://pi@h?key=/k&kind=raspberry-pi&hwmon_root=/sys')).toMatch(/power=hwmon/);
    expect(refused('ssh://pi@h?key=/k&kind=raspberry-pi&workdir=tmp')).toMatch(/absolute/);
    expect(refused('ssh://pi@h?key=/k&kind=raspberry-pi&workdir=/')).toMatch(/cannot be \//);
    expect(refused('ssh://pi@h?key=/k&kind=raspberry-pi&period_ms=0')).toMatch(/period_ms/);
    expect(refused('ssh://pi@h?key=/k&kind=raspberry-pi&period_ms=5.5')).toMatch(/period_ms/);
    expect(refused('ssh://pi@h?key=/k&kind=raspberry-pi&lock_cmd=x')).toMatch(/unlock_cmd/);
    expect(refused('ssh://pi@h?key=/k&kind=raspberry-pi&kind=jetson-nano')).toMatch(/twice/);
    expect(refused('ssh://pi@h/home?key=/k&kind=raspberry-pi')).toMatch(/path/);
    expect(refused('adb://pi@h?key=/k&kind=raspberry-pi')).toMatch(/ssh:\/\//);
    expect(refused('ssh://pi@-oProxyCommand=x?key=/k&kind=raspberry-pi')).toMatch(/host/);
    expect(refused('not a url')).toMatch(/URL/);
  });

  it('takes power= in the one grammar, with the sources a board has: its hwmon rails, a meter read from this host, none', () => {
    const spec = (power: string, more = '') => parseSshSpec(`ssh://pi@h?key=/k&kind=raspberry-pi&power=${power}${more}`);
    expect(spec('hwmon').power).toEqual({ kind: 'hwmon', root: '/sys' });
    expect(spec('pynq').power).toEqual({ kind: 'hwmon', select: 'ina226', root: '/sys' });
    expect(spec('none').power).toEqual({ kind: 'none' });
    // A meter: its own default period (250 ms), the board loop's 50 ms otherwise; period_ms sets either.
    const meter = spec('scpi://10.0.0.5:10001?element=2');
    expect(meter.power).toEqual({ kind: 'scpi', host: '10.0.0.5', port: 10001, element: 2 });
    expect(meter.periodMs).toBe(250);
    expect(spec(encodeURIComponent('scpi://10.0.0.5:10001?element=2'), '&period_ms=100')).toMatchObject({ power: meter.power, periodMs: 100 });
    expect(spec('hwmon').periodMs).toBe(50);
    expect(SSH_SPEC_KEYS.power).toContain('hwmon[:<rails>]|pynq[:<rails>]|scpi://<host>:<port>[?element=1|2|3|SIGMA]|none');
  });

  it("refuses, at parse time, a power= value that is bad or not a board's (LPCV_E_POWER_SPEC, naming what boards take)", () => {
    const refusedPower = (power: string): string => {
      try {
        parseSshSpec(`ssh://pi@h?key=/k&kind=raspberry-pi&power=${power}`);
      } catch (e) {
        expect(e).toBeInstanceOf(LpcvError);
        expect((e as LpcvError).code).toBe('LPCV_E_POWER_SPEC');
        return (e as LpcvError).message;
      }
      throw new Error(`accepted power=${power}`);
    };
    for (const power of ['rapl', 'ina3221', 'nvidia-smi', 'battery']) {
      const m = refusedPower(power);
      expect(m).toMatch(/^device spec "ssh:\/\/pi@h\?key=/);
      expect(m).toContain(
        `power="${power}": ${power} is not a power source for ssh boards; ssh boards take power=hwmon[:<rails>]|pynq[:<rails>]|scpi://<host>:<port>[?element=1|2|3|SIGMA]|none`,
      );
    }
    expect(refusedPower('hwmon:ina226,,x')).toMatch(/empty rail/);
    expect(refusedPower('scpi://10.0.0.5')).toMatch(/needs a host and a port/);
    expect(refusedPower('wattmeter')).toMatch(/unknown power source "wattmeter"/);
    // hwmon_root belongs to hwmon rails on the board, not to a meter or none.
    expect(refused('ssh://pi@h?key=/k&kind=raspberry-pi&power=scpi://10.0.0.5:10001&hwmon_root=/sys')).toMatch(/power=hwmon/);
  });
});
