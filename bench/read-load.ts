/**
 * The read path under load (issue 16, item 3): many concurrent clients on `GET /api/leaderboard/:track`, the
 * leaderboard page `/leaderboard/:track` and `GET /api/submissions/:id`, against a bare express hello-world measured
 * in the same run as the floor. The real server (createApp, as bench/queue-bench-server.ts starts it) and the
 * hello-world run in one child process on two ephemeral ports; autocannon runs here, in the parent, so that the load
 * generator and the server do not share an event loop. Each round measures the floor and the three endpoints in turn
 * (interleaved rounds: a machine's drift hits them all); the figures are per round, and the ratios are to the same
 * round's floor.
 *
 * The board: `--results` teams with one done submission each (resultRecord's shape, varied numbers), revealed so that an
 * anonymous reader sees (and the server renders) every entry. `GET /api/submissions/:id` reads one team's done
 * submission with its token.
 *
 * Every request asks `Accept-Encoding: gzip, deflate` as browsers and fetch() do (the boards are then sent as kept
 * gzipped copies: board-cache.ts); `--encoding identity` measures the uncompressed bodies.
 *
 *   node bin/run-ts.js bench/read-load.ts [--connections 200] [--duration 10] [--rounds 3] [--results 200]
 *     [--encoding "gzip, deflate"] [--postgres postgres://postgres@127.0.0.1:5432/test]
 *   (--postgres: a fresh schema there, dropped after; default: a SQLite file in a temporary folder)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import express from 'express';
import { revealTrack } from '../server/leaderboard/index.js';
import { finishQueuedJobs, resultRecord } from '../server/leaderboard/testing/results.js';
import { newSubmissionId, recordSubmission } from '../server/submissions/submissions-table.js';
import type { AcceptedSubmission } from '../submissions/intake/accept-submission.js';
import { optionInt, optionText } from './bench-args.js';
import { startBenchServer } from './queue-bench-server.js';

/** What the child tells the parent (one JSON line on stdout). */
interface Served {
  readonly url: string;
  readonly floorUrl: string;
  readonly track: string;
  readonly submission: string;
  readonly token: string;
  readonly database: string;
}

const CHILD_FLAG = '--serve-child';

/** The child: the real server on a seeded database, and the hello-world; both until stdin closes. */
async function serve(): Promise<void> {
  const postgres = optionText('postgres', '');
  const results = optionInt('results', 200);
  const server = await startBenchServer({
    database: postgres === '' ? 'sqlite' : 'postgres',
    postgresUrl: postgres,
    teams: results,
    agents: 0,
    hiddenCount: 16,
  });
  const floorApp = express();
  floorApp.get('/', (_req, res) => void res.send('Hello World!'));
  const floor = await new Promise<Server>((resolve) => {
    const s = floorApp.listen(0, '127.0.0.1', () => resolve(s));
  });
  const close = async (): Promise<void> => {
    // autocannon stops with requests in flight: let the server finish them (its pool idle) before the pool closes.
    const pool = (server.db.client as { pool: { numUsed(): number; numPendingAcquires(): number } }).pool;
    for (let i = 0; i < 200 && pool.numUsed() + pool.numPendingAcquires() > 0; i++) await new Promise((r) => setTimeout(r, 50));
    floor.closeAllConnections();
    floor.close();
    await server.close();
  };
  try {
    const track = server.track;
    const accepted = { sha256: '0'.repeat(64), bytes: 100, format: 'onnx', filename: 'model.onnx' } as AcceptedSubmission;
    const chosen = new Map<string, ReturnType<typeof resultRecord>>();
    const t = Date.now();
    const ids: string[] = [];
    // startBenchServer's teams, bench-team-<i>: team i submits board entry i (and teamTokens[i] is its token).
    const teamIds = new Map(((await server.db('teams').select('id', 'name')) as Array<{ id: number; name: string }>).map((r) => [r.name, Number(r.id)]));
    for (let i = 0; i < results; i++) {
      const id = newSubmissionId();
      ids.push(id);
      await recordSubmission(server.db, { id, teamId: teamIds.get(`bench-team-${i}`)!, track, description: `bench ${i}`, accepted }, t);
      chosen.set(id, resultRecord(track.name, 'test', { top1: 0.5 + (i % 97) / 200, p50: 1 + (i % 13), score: 0.1 + (i % 89) / 100 }));
    }
    const finished = await finishQueuedJobs(server.db, chosen, t);
    await revealTrack(server.db, track.name, 'bench', t);
    const probe = (await (await fetch(`${server.url}/api/leaderboard/${track.name}`)).json()) as { entries: unknown[] };
    if (finished !== results || probe.entries.length !== results) throw new Error(`seeded ${finished} results, the board shows ${probe.entries.length}`);
    const served: Served = {
      url: server.url,
      floorUrl: `http://127.0.0.1:${(floor.address() as AddressInfo).port}`,
      track: track.name,
      submission: ids[0]!,
      token: server.teamTokens[0]!,
      database: postgres === '' ? 'SQLite' : 'PostgreSQL',
    };
    process.stdout.write(`${JSON.stringify(served)}\n`);
    // Until the parent is done (it closes our stdin, or dies).
    await new Promise<void>((resolve) => {
      process.stdin.on('end', resolve).on('close', resolve).resume();
    });
    if (server.internalErrors.length > 0)
      process.stderr.write(`the server logged ${server.internalErrors.length} internal errors: ${String(server.internalErrors[0])}\n`);
  } finally {
    await close();
  }
}

function startChild(): Promise<{ child: ChildProcess; served: Served }> {
  const passOn = process.argv.slice(2);
  const child = spawn(process.execPath, ['bin/run-ts.js', 'bench/read-load.ts', CHILD_FLAG, ...passOn], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve({ child, served: JSON.parse(line) as Served }));
    child.once('exit', (code) => reject(new Error(`the server child exited (${code}) before it served`)));
  });
}

interface Figure {
  readonly rps: number;
  readonly p99: number;
  /** Connection errors, timeouts (autocannon's 10 s) and answers that are not 2xx, together and apart. */
  readonly errors: number;
  readonly detail: string;
}

async function load(url: string, connections: number, duration: number, headers: Record<string, string> = {}): Promise<Figure> {
  const r = await autocannon({ url, connections, duration, headers });
  // Errors: connection errors and timeouts, and every answer that is not 2xx.
  return {
    rps: r.requests.average,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
    detail: `${r.errors} connection errors (${r.timeouts} of them timeouts), ${r.non2xx} non-2xx`,
  };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  const connections = optionInt('connections', 200);
  const duration = optionInt('duration', 10);
  const rounds = optionInt('rounds', 3);
  // As browsers and fetch() ask; `--encoding identity` measures the uncompressed bodies.
  const encoding = optionText('encoding', 'gzip, deflate');
  const { child, served } = await startChild();
  try {
    const accept = { 'accept-encoding': encoding };
    const targets: Array<{ name: string; url: string; headers: Record<string, string> }> = [
      { name: 'floor: express hello-world', url: served.floorUrl, headers: accept },
      { name: 'GET /api/leaderboard/:track', url: `${served.url}/api/leaderboard/${served.track}`, headers: accept },
      { name: 'GET /leaderboard/:track (page)', url: `${served.url}/leaderboard/${served.track}`, headers: accept },
      {
        name: 'GET /api/submissions/:id',
        url: `${served.url}/api/submissions/${served.submission}`,
        headers: { ...accept, authorization: `Bearer ${served.token}` },
      },
    ];
    const bytes = new Map<string, number>();
    for (const t of targets) {
      // node:http, not fetch: the bytes as sent (fetch would decompress them).
      const { status, length } = await new Promise<{ status: number; length: number }>((resolve, reject) => {
        get(t.url, { headers: t.headers }, (res) => {
          let length = 0;
          res.on('data', (c: Buffer) => (length += c.length)).on('end', () => resolve({ status: res.statusCode ?? 0, length }));
        }).on('error', reject);
      });
      if (status !== 200) throw new Error(`${t.name}: ${status} before the load`);
      bytes.set(t.name, length);
    }
    const figures = new Map<string, Figure[]>(targets.map((t) => [t.name, []]));
    for (let r = 0; r < rounds; r++)
      for (const t of targets) {
        const f = await load(t.url, connections, duration, t.headers);
        figures.get(t.name)!.push(f);
        process.stderr.write(`round ${r + 1}/${rounds} ${t.name}: ${f.rps.toFixed(0)} req/s, p99 ${f.p99} ms, ${f.errors} errors: ${f.detail}\n`);
      }
    const floor = figures.get(targets[0]!.name)!;
    const spread = (xs: number[], digits: number): string =>
      `${median(xs).toFixed(digits)} [${Math.min(...xs).toFixed(digits)}, ${Math.max(...xs).toFixed(digits)}]`;
    console.log(
      `read path under load: ${served.database}, ${optionInt('results', 200)} results on the board (revealed), ${connections} connections, ${duration} s per measurement, ${rounds} interleaved rounds, Accept-Encoding: ${encoding}`,
    );
    console.log("  median [min, max] over rounds; ratios to the same round's floor (target: req/s >= 0.5x, p99 <= 1.5x, 0 errors)");
    for (const t of targets) {
      const fs = figures.get(t.name)!;
      const rpsRatio = fs.map((f, i) => f.rps / floor[i]!.rps);
      const p99Ratio = fs.map((f, i) => f.p99 / floor[i]!.p99);
      const errors = fs.reduce((n, f) => n + f.errors, 0);
      console.log(
        `  ${t.name.padEnd(32)} req/s ${spread(
          fs.map((f) => f.rps),
          0,
        )}  p99 ms ${spread(
          fs.map((f) => f.p99),
          0,
        )}  x floor: req/s ${spread(rpsRatio, 2)} p99 ${spread(p99Ratio, 2)}  errors ${errors}  (${(bytes.get(t.name)! / 1024).toFixed(1)} KiB sent)`,
      );
    }
  } finally {
    child.stdin!.end();
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

if (process.argv.includes(CHILD_FLAG)) await serve();
else await main();
