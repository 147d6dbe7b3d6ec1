/**
 * Hostile uploads (docs/benchmarks.md, "Hostile uploads"): how long the server takes to answer an ordinary
 * request (GET /api/leaderboard/fashion-mnist, sent one after another by a prober) while teams upload huge
 * graphs that the intake must read before refusing them (an Identity chain of --nodes nodes, ~18 MB, with the
 * wrong input size). Two ways of checking uploads, measured side by side in rounds (inline, pool, inline, pool,
 * ...): `inline` on the server's own thread, as before the worker pool, and `pool` in the ModelCheckPool's worker
 * threads. Each round: a quiet second of probes, then --attackers uploads in a loop for --seconds while the
 * prober goes on. The server runs in a child process of its own (this file with --child MODE), so that a
 * server blocked in a check cannot hold up the prober's own clock. Real HTTP on an ephemeral port, a real
 * SQLite file, the real app (createApp); the refusal cap is off here (it is the other defence, and would cut
 * the attack short). Not a test.
 *
 *   node bin/run-ts.js bench/hostile-uploads.ts [--rounds 2] [--attackers 3] [--seconds 10] [--nodes 600000]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { resolveTrack } from '../harness/tracks/load-track.js';
import { createTeam } from '../server/auth/index.js';
import { databaseConfigFrom, openDatabase } from '../server/db/index.js';
import { createApp } from '../server/http/index.js';
import { ArtifactStore } from '../submissions/store/artifact-store.js';
import { ModelCheckPool, defaultCheckWorkers, inlineModelCheck, type ModelCheck } from '../submissions/validate/check-pool.js';
import { identityChainModel } from '../test/testing/hostile-onnx.js';
import { optionInt, optionText } from './bench-args.js';

const rounds = optionInt('rounds', 2);
const attackers = optionInt('attackers', 3);
const seconds = optionInt('seconds', 10);
const nodes = optionInt('nodes', 600_000);
const track = resolveTrack('fashion-mnist');
let hostileBytes: Uint8Array | undefined;
/** Made once, on first use: the server child never needs it. */
const hostile = (): Uint8Array => (hostileBytes ??= identityChainModel(nodes));

interface Phase {
  probesMs: number[];
  uploads: number;
  uploadMs: number[];
  codes: Map<string, number>;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function summary(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const f = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  return `n ${String(s.length).padStart(4)}  p50 ${f(quantile(s, 0.5)).padStart(6)}  p99 ${f(quantile(s, 0.99)).padStart(6)}  max ${f(s[s.length - 1] ?? Number.NaN).padStart(6)}`;
}

/** The server side (--child MODE): serves until stdin closes, after printing its url and a team token. */
async function serveChild(mode: 'inline' | 'pool'): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lpcv-hostile-uploads-'));
  const pool = mode === 'pool' ? new ModelCheckPool() : undefined;
  const check: ModelCheck = pool?.check ?? inlineModelCheck;
  const db = await openDatabase(databaseConfigFrom({ dataDir }, {}));
  const app = createApp({
    db,
    store: new ArtifactStore(path.join(dataDir, 'artifacts')),
    tracks: new Map([[track.name, track]]),
    now: Date.now,
    modelCheck: check,
    refusalLimit: { max: 0, windowMs: 60_000 },
    logError: (e) => process.stderr.write(`server error: ${String(e)}\n`),
  });
  const server = await new Promise<Server>((resolve) => {
    const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
  });
  const team = await createTeam(db, `bench-${mode}`, Date.now());
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: team.token })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    server.closeAllConnections();
    server.close(() => {
      void (async () => {
        await pool?.close();
        await db.destroy();
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      })();
    });
  });
}

async function round(mode: 'inline' | 'pool'): Promise<{ quiet: Phase; attack: Phase }> {
  const child = spawn(
    process.execPath,
    [path.join(path.dirname(new URL(import.meta.url).pathname), '../bin/run-ts.js'), new URL(import.meta.url).pathname, '--child', mode],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const first = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`the server child exited (${code})`)));
  });
  const { url, token } = JSON.parse(first) as { url: string; token: string };
  try {
    const auth = { authorization: `Bearer ${token}` };

    const probe = async (until: () => boolean, phase: Phase): Promise<void> => {
      while (until()) {
        const t0 = performance.now();
        const res = await fetch(`${url}/api/leaderboard/fashion-mnist`, { headers: auth });
        await res.arrayBuffer();
        phase.probesMs.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const phase = (): Phase => ({ probesMs: [], uploads: 0, uploadMs: [], codes: new Map() });

    const quiet = phase();
    const quietEnd = Date.now() + 1000;
    await probe(() => Date.now() < quietEnd, quiet);

    const attack = phase();
    const end = Date.now() + seconds * 1000;
    const attacker = async (): Promise<void> => {
      while (Date.now() < end) {
        const form = new FormData();
        form.append('track', 'fashion-mnist');
        form.append('file', new Blob([hostile()]), 'chain.onnx');
        const t0 = performance.now();
        const res = await fetch(`${url}/api/submissions`, { method: 'POST', body: form, headers: auth });
        const body = (await res.json()) as { error?: { code?: string } };
        attack.uploadMs.push(performance.now() - t0);
        attack.uploads++;
        const code = body.error?.code ?? String(res.status);
        attack.codes.set(code, (attack.codes.get(code) ?? 0) + 1);
      }
    };
    await Promise.all([probe(() => Date.now() < end, attack), ...Array.from({ length: attackers }, attacker)]);
    return { quiet, attack };
  } finally {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin.end();
    await exited;
  }
}

const childMode = optionText('child', '');
if (childMode === 'inline' || childMode === 'pool') {
  await serveChild(childMode);
} else {
  await main();
}

async function main(): Promise<void> {
  const results: Record<'inline' | 'pool', { quiet: number[]; attack: number[]; uploadMs: number[]; codes: Map<string, number> }> = {
    inline: { quiet: [], attack: [], uploadMs: [], codes: new Map() },
    pool: { quiet: [], attack: [], uploadMs: [], codes: new Map() },
  };
  console.log(
    `hostile uploads: ${attackers} attackers x ${seconds} s per round, ${rounds} round(s) per mode (inline, pool interleaved); ` +
      `each upload ${(hostile().byteLength / 1e6).toFixed(1)} MB, ${nodes} Identity nodes, wrong input size; ` +
      `${os.availableParallelism()} cores (${os.cpus()[0]?.model.trim() ?? '?'}), Node ${process.version}, pool ${defaultCheckWorkers()} worker(s); ` +
      `load average before ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  for (let r = 0; r < rounds; r++) {
    for (const mode of ['inline', 'pool'] as const) {
      const { quiet, attack } = await round(mode);
      const into = results[mode];
      into.quiet.push(...quiet.probesMs);
      into.attack.push(...attack.probesMs);
      into.uploadMs.push(...attack.uploadMs);
      for (const [c, n] of attack.codes) into.codes.set(c, (into.codes.get(c) ?? 0) + n);
      process.stdout.write(`round ${r + 1} ${mode}: ${attack.uploads} uploads answered, ${attack.probesMs.length} probes\n`);
    }
  }
  console.log('\nGET /api/leaderboard/fashion-mnist, ms (one prober, a request every 20 ms after the previous answer):');
  for (const mode of ['inline', 'pool'] as const) {
    const r = results[mode];
    console.log(`  ${mode.padEnd(6)} quiet:        ${summary(r.quiet)}`);
    console.log(`  ${mode.padEnd(6)} under attack: ${summary(r.attack)}`);
  }
  console.log('hostile uploads, ms from sending to the answer:');
  for (const mode of ['inline', 'pool'] as const) {
    const r = results[mode];
    console.log(`  ${mode.padEnd(6)} ${summary(r.uploadMs)}  answers: ${[...r.codes].map(([c, n]) => `${c} x${n}`).join(', ')}`);
  }
  console.log(
    `load average after ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}
