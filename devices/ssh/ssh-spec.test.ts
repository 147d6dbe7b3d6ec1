import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { DEFAULT_DROP_CACHES, parseSshSpec } from './ssh-spec.js';

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
    const s = parseSshSpec('ssh://xilinx@ultra96:2222?key=/k/id_ed25519&kind=ultra96-v2&known_hosts=/k/known_hosts&power=hwmon:irps5401/VCCINT,/sys/class/hwmon/hwmon3&hwmon_root=/fixture/sys&workdir=/home/xilinx/lpcv&name=u96-a&period_ms=20&connect_timeout_s=5');
    expect(s).toEqual({
      user: 'xilinx',
      host: 'ultra96',
      port: 2222,
      key: '/k/id_ed25519',
      knownHosts: '/k/known_hosts',
      kind: 'ultra96-v2',
      name: 'u96-a',
      power: { type: 'hwmon', select: 'irps5401/VCCINT,/sys/class/hwmon/hwmon3', root: '/fixture/sys' },
      workdir: '/home/xilinx/lpcv',
      periodMs: 20,
      connectTimeoutS: 5,
      dropCachesCommand: DEFAULT_DROP_CACHES,
    });
    const d = parseSshSpec('ssh://pi@10.0.0.7?key=~/.ssh/id_ed25519&kind=raspberry-pi');
    expect(d).toMatchObject({ port: 22, power: { type: 'none' }, workdir: '/tmp/lpcv', name: 'ssh-10.0.0.7', periodMs: 50, connectTimeoutS: 10 });
    expect(d.key).toBe(`${os.homedir()}/.ssh/id_ed25519`);
    expect(d.knownHosts).toBe(`${os.homedir()}/.ssh/known_hosts`);
    expect(Object.isFrozen(d)).toBe(true);
  });

  it('takes commands URL-encoded, and an IPv6 address without its brackets', () => {
    const q = new URLSearchParams({ key: '/k', kind: 'jetson-nano', drop_caches_cmd: 'sudo -n sh -c "sync; echo 3 > /proc/sys/vm/drop_caches"', lock_cmd: 'sudo -n /usr/local/sbin/lpcv-lock', unlock_cmd: 'sudo -n /usr/local/sbin/lpcv-unlock' });
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
    expect(refused('ssh://pi@h?key=/k&kind=raspberry-pi&power=pynq')).toMatch(/hwmon:/);
    expect(parseSshSpec('ssh://pi@h?key=/k&kind=raspberry-pi&power=hwmon').power).toEqual({ type: 'hwmon', select: '', root: '/sys' });
    expect(refused('ssh://pi@h?key=/k&kind=raspberry-pi&power=hwmon:ina226,,x')).toMatch(/empty rail/);
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
});
