import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { Adb } from './adb.js';
import { makeStandinPhone, STANDIN_ADB, type StandinPhone } from './testing/standin-phone.js';

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e instanceof LpcvError ? e.code : `not coded: ${String(e)}`),
  );
}

describe('adb through the stand-in', () => {
  let phone: StandinPhone;
  let local: string;
  let adb: Adb;
  beforeAll(async () => {
    phone = await makeStandinPhone('ADB-TEST');
    local = await mkdtemp(path.join(os.tmpdir(), 'lpcv-adb-'));
    adb = new Adb({ serial: phone.serial, adbPath: STANDIN_ADB, env: phone.env });
  });
  afterAll(async () => {
    await phone?.cleanup();
    if (local) await rm(local, { recursive: true, force: true });
  });

  it('runs `adb -s SERIAL ...` with one quoted shell line, and hands back the remote exit status', async () => {
    const r = await adb.shell(['cat', '/sys/class/power_supply/battery/capacity', '/no such file']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('78\n');
    expect(r.stderr).toMatch(/No such file/);
    const calls = await phone.calls();
    expect(calls.at(-1)?.argv).toEqual(['-s', 'ADB-TEST', 'shell', "cat /sys/class/power_supply/battery/capacity '/no such file'"]);
    expect(await codeOf(adb.shellText(['cat', '/no such file']))).toBe('LPCV_E_ADB_FAILED');
  });

  it("pushes and pulls files, with adb's words when a copy fails", async () => {
    const file = path.join(local, "a file's name");
    await writeFile(file, 'model bytes');
    await adb.push(file, '/data/local/tmp/x/model.tflite');
    expect(await phone.read('/data/local/tmp/x/model.tflite')).toBe('model bytes');
    await adb.pull('/data/local/tmp/x/model.tflite', path.join(local, 'back'));
    expect(await readFile(path.join(local, 'back'), 'utf8')).toBe('model bytes');
    const e = await adb.push(path.join(local, 'missing'), '/data/local/tmp/y').catch((err: unknown) => err as LpcvError);
    expect(e).toBeInstanceOf(LpcvError);
    expect((e as LpcvError).code).toBe('LPCV_E_ADB_FAILED');
    expect((e as LpcvError).message).toMatch(/cannot stat/);
    expect(await codeOf(adb.pull('/data/local/tmp/none', path.join(local, 'none')))).toBe('LPCV_E_ADB_FAILED');
  });

  it('a cancelled command is LPCV_E_RUN_CANCELLED', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await codeOf(adb.getState(ac.signal))).toBe('LPCV_E_RUN_CANCELLED');
  });

  it('refuses a serial that would read as an option, and an empty shell command', async () => {
    expect(() => new Adb({ serial: '-d' })).toThrow(LpcvError);
    await expect(adb.shell([])).rejects.toThrow(LpcvError);
  });
});
