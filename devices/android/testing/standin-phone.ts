/**
 * Test helper: a fresh copy of the stand-in phone (fixtures/phone) in a temporary folder, the environment
 * that points the adb stand-in (fixtures/adb) at it, and its invocation log. No real phone is involved.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const STANDIN_ADB = fileURLToPath(new URL('../fixtures/adb', import.meta.url));
const PHONE = fileURLToPath(new URL('../fixtures/phone', import.meta.url));

export interface StandinCall {
  readonly argv: string[];
  /** The shell words the stand-in parsed from an `adb shell` line. */
  readonly words?: string[];
}

export interface StandinPhone {
  readonly serial: string;
  /** The emulated phone's root folder. */
  readonly root: string;
  readonly env: Record<string, string>;
  /** Writes a file of the phone (a phone path such as /dumpsys/battery.txt). */
  write(phonePath: string, content: string): Promise<void>;
  read(phonePath: string): Promise<string>;
  remove(phonePath: string): Promise<void>;
  calls(): Promise<StandinCall[]>;
  /** The parsed words of every shell call whose words include `needle` (a word, exactly). */
  shellCalls(needle?: string): Promise<string[][]>;
  cleanup(): Promise<void>;
}

export async function makeStandinPhone(serial = 'PIXEL4-STANDIN'): Promise<StandinPhone> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'lpcv-android-'));
  const root = path.join(base, 'phone');
  await cp(PHONE, root, { recursive: true });
  const log = path.join(base, 'adb-calls.jsonl');
  const at = (p: string): string => path.join(root, p);
  const calls = async (): Promise<StandinCall[]> => {
    const text = await readFile(log, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as StandinCall);
  };
  return {
    serial,
    root,
    env: { LPCV_ADB_STANDIN_DIR: root, LPCV_ADB_STANDIN_SERIAL: serial, LPCV_ADB_STANDIN_LOG: log },
    write: (p, content) => writeFile(at(p), content),
    read: (p) => readFile(at(p), 'utf8'),
    remove: (p) => rm(at(p), { recursive: true, force: true }),
    calls,
    async shellCalls(needle) {
      return (await calls()).flatMap((c) => (c.words !== undefined && (needle === undefined || c.words.includes(needle)) ? [c.words] : []));
    },
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
}
