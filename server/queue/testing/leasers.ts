import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LeaserSpec } from './leaser-process.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RUN_TS = fileURLToPath(new URL('../../../bin/run-ts.js', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./leaser-process.ts', import.meta.url));

interface Leaser {
  readonly ready: Promise<void>;
  readonly ids: Promise<number[]>;
  go(): void;
}

function startLeaser(spec: LeaserSpec): Leaser {
  const child = spawn(process.execPath, [RUN_TS, SCRIPT, JSON.stringify(spec)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const lines: string[] = [];
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') onReady();
    else lines.push(line);
  });
  const ids = new Promise<number[]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${spec.agentId} exited with ${code}: ${stderr.trim()}`));
      resolve(JSON.parse(lines.at(-1) ?? '[]') as number[]);
    });
  });
  // A child that dies before "ready" must not leave the caller waiting for it.
  const readyOrDied = Promise.race([ready, ids.then(() => {})]);
  return { ready: readyOrDied, ids, go: () => child.stdin.end('go\n') };
}

/**
 * Starts `count` leasing processes, lets them all connect, then releases them at once so that they contend
 * for the same jobs; returns each one's leased job ids.
 */
export async function runLeaserProcesses(count: number, specOf: (i: number) => LeaserSpec): Promise<number[][]> {
  const leasers = Array.from({ length: count }, (_, i) => startLeaser(specOf(i)));
  await Promise.all(leasers.map((l) => l.ready));
  for (const l of leasers) l.go();
  return Promise.all(leasers.map((l) => l.ids));
}
