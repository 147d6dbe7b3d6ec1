/**
 * For the SSH-board tests: a track file written and loaded through the real schema (target kind
 * ultra96-v2, the on-board command and the SSH keys under `target`), the fixture package zipped with
 * python3 -m zipapp, and process checks for a loopback "board" that shares this machine's /proc.
 */
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { cp, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTrackFile } from '../../../harness/tracks/load-track.js';
import type { Track } from '../../../harness/tracks/track.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));

export async function writeBoardTrack(
  dir: string,
  name: string,
  o: { runTimeoutMs?: number; target?: Record<string, unknown>; protocol?: Record<string, unknown> } = {},
): Promise<Track> {
  const track = {
    name,
    title: `SSH board test track ${name}`,
    task: 'classification',
    classes: ['dark', 'light', 'colour'],
    dataset: { format: 'image-folder', images: 'images', labels: 'labels.csv' },
    splits: { test: { start: 0, count: 4, visibility: 'hidden' } },
    input: { name: 'input', shape: [1, 3, 8, 8], dtype: 'uint8', layout: 'NCHW', preprocess: { channels: 'rgb', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] } },
    formats: ['solution'],
    metrics: ['top1'],
    score: { formula: 'accuracy-per-time', version: 1, params: { accuracy: 'top1' } },
    protocol: { warmupRuns: 0, minRuns: 1, minDurationMs: 0, maxRuns: 1, ...o.protocol },
    limits: { maxArtifactBytes: 10_000_000, runTimeoutMs: o.runTimeoutMs ?? 60_000 },
    target: { kind: 'ultra96-v2', ...o.target },
  };
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(track, null, 2));
  return loadTrackFile(file);
}

/** The fixture solution package as a zipapp in `dir`; returns the artifact a job carries. */
export async function buildFixturePackage(dir: string): Promise<{ file: string; sha256: string; bytes: number; format: 'zip' }> {
  const src = path.join(dir, 'solution-src');
  await cp(path.join(FIXTURES, 'solution'), src, { recursive: true });
  const file = path.join(dir, 'solution.pyz');
  await execa('python3', ['-m', 'zipapp', src, '-o', file], { stdin: 'ignore' });
  return { file, sha256: '0'.repeat(64), bytes: (await stat(file)).size, format: 'zip' };
}

/** A copy of the fixture sysfs tree (sys/class/hwmon/...) at `dir/sys`; returns that root. */
export async function copyFixtureSys(dir: string): Promise<string> {
  const root = path.join(dir, 'sys');
  await cp(path.join(FIXTURES, 'sys'), root, { recursive: true });
  return root;
}

/**
 * Whether a process can still run code. Gone from /proc, a zombie, a process already inside the kernel's exit
 * (PF_EXITING in its flags) and one with SIGKILL pending all count as dead: none of them runs another
 * instruction of its own. Only the last two make this more than "is it in /proc": a SIGKILL sent to a process
 * group returns before each member has been scheduled to die, and on a loaded machine a killed `sleep` can
 * still read as sleeping or runnable for a while after the runner that killed it has reported.
 */
export function alive(pid: number): boolean {
  let stat: string;
  let status: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return false;
  }
  // After "comm)": state ppid pgrp session tty_nr tpgid flags ... (proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return false;
  const PF_EXITING = 0x4;
  if ((Number(fields[6]) & PF_EXITING) !== 0) return false;
  const SIGKILL_BIT = 1n << 8n; // signal 9 is bit 8 of the pending masks
  for (const key of ['SigPnd', 'ShdPnd']) {
    const mask = new RegExp(`^${key}:\\s*([0-9a-f]+)$`, 'm').exec(status)?.[1];
    if (mask !== undefined && (BigInt(`0x${mask}`) & SIGKILL_BIT) !== 0n) return false;
  }
  return true;
}

/** The host pids of processes in session `sid` that can still run code (alive), e.g. what a setsid'd command left. */
export function aliveInSession(sid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]) === sid && alive(Number(entry))) out.push(Number(entry));
  }
  return out;
}

/** Polls a condition (the board is another process on the same machine: there is no event to wait on). */
export async function until(ok: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
