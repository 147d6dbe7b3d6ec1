/**
 * Boards kept between reads (issue 16, "Read path under load"): building one costs a few milliseconds of CPU
 * (parsing every result record, ranking, the Pareto front), and a board changes only when a job completes or
 * someone acts, while it is read far more often. A read here costs one one-row query (the database's
 * `board_version`, migration 0012) and a map lookup, and a board is built once per version and view.
 *
 * Never stale: the version is bumped by database triggers on every table a board is read from, in the writing
 * transaction, whoever writes (a job's completion, a re-score, an admin's reveal, an `lpcv` command in another
 * process); and every read takes a version read after the read began (VersionCheck): a write that committed before
 * a request arrived is on the board it gets. There is no time-to-live and no staleness bound to tune.
 *
 * The key: the track, the viewer (anonymous, a team, an admin: what they may see differs), the view's query
 * (board, sort, order, phase, round), and what the board takes from the clock (boardClock: the automatic reveal
 * that happened and the phase open now), so that a board is rebuilt when a phase opens, ends or reveals, with no
 * database write at that moment. Each entry carries the version it was built at; a lookup at another version
 * rebuilds it.
 *
 * Memory: at most `maxEntries` boards (least recently used out), each with its rendered texts (JSON, CSV, the
 * anonymous page). A 200-entry board is 120 KB as JSON and 140 KB as the page (8 and 17 KB gzipped: bench/read-load.ts),
 * and an estimated 300 KB as objects: some 0.6 MB with every rendering, 40 MB for a full cache.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';
import type { Phase } from '../../harness/competitions/competition.js';
import type { Track } from '../../harness/tracks/track.js';
import { readPhases } from '../competitions/competitions-table.js';
import type { Db } from '../db/index.js';
import { BOARD_TABLES } from '../db/migrations/0012-board-version.js';
import { boardClock, buildLeaderboard, type Leaderboard } from './build-leaderboard.js';
import type { LeaderboardQuery } from './leaderboard-query.js';
import type { Viewer } from './viewer.js';

export const DEFAULT_BOARD_CACHE_ENTRIES = 64;

/** A rendering of a board, ready to send: its bytes and their ETag (express's weak ETag, computed once, not per request). */
export interface RenderedBoard {
  readonly body: Buffer;
  readonly etag: string;
  /** The body gzipped, made on the first request that accepts it (browsers and fetch do), and its ETag. */
  gzipped?: { readonly body: Buffer; readonly etag: string };
}

/** A board as one viewer sees it, and its renderings, made at most once each. */
export class CachedBoard {
  private readonly renderings = new Map<string, RenderedBoard | null>();

  constructor(
    readonly version: number,
    readonly board: Leaderboard,
  ) {}

  /**
   * The rendering `name` of this board (its JSON, CSV, page): made on first use, then kept with the board. `render`
   * answers null for a rendering that must not be kept (it is then not asked again for this board).
   */
  rendered(name: string, render: (board: Leaderboard) => string | null): RenderedBoard | null {
    let r = this.renderings.get(name);
    if (r === undefined) {
      const text = render(this.board);
      const body = text === null ? null : Buffer.from(text, 'utf8');
      r = body === null ? null : { body, etag: weakEtag(body) };
      this.renderings.set(name, r);
    }
    return r;
  }
}

/**
 * Sends a kept rendering (the caller set its Content-Type), gzipped when the client accepts it: a 200-entry board
 * is about 120 KB of JSON and 15 KB gzipped, compressed once per board instead of never (the server has no
 * compression middleware) or at every request. Express answers 304 to a matching If-None-Match.
 */
export function sendRendered(req: Request, res: Response, r: RenderedBoard): void {
  res.vary('Accept-Encoding');
  // Without an Accept-Encoding header any encoding would do (accepts() then picks gzip), but plain clients (curl) expect the bytes.
  if (req.headers['accept-encoding'] !== undefined && req.acceptsEncodings('gzip', 'identity') === 'gzip') {
    if (r.gzipped === undefined) {
      const body = gzipSync(r.body);
      r.gzipped = { body, etag: `${r.etag.slice(0, -1)}-gzip"` };
    }
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('ETag', r.gzipped.etag);
    res.send(r.gzipped.body);
    return;
  }
  res.setHeader('ETag', r.etag);
  res.send(r.body);
}

/** The weak ETag express gives a body (the etag package's: length and SHA-1), so that a client sees the same as without the cache. */
function weakEtag(body: Buffer): string {
  const hash = createHash('sha1').update(body).digest('base64').substring(0, 27);
  return `W/"${body.length.toString(16)}-${hash}"`;
}

/** Past this many `board_changes` rows (PostgreSQL), a read folds them into `board_version` (compactBoardVersion). */
export const BOARD_CHANGES_COMPACT_AT = 1000;

/**
 * The database's board version (migration 0012): SQLite's counter row; on PostgreSQL the counter row plus the
 * committed `board_changes` rows, read in one statement (one snapshot). `changes`: how many such rows there are.
 */
export async function readBoardVersion(db: Db): Promise<number> {
  return (await readBoardVersionRows(db)).version;
}

async function readBoardVersionRows(db: Db): Promise<{ version: number; changes: number }> {
  if (db.dialect === 'postgres') {
    const result = (await db.raw(
      'SELECT v.version + c.n AS version, c.n AS changes FROM board_version v, (SELECT count(*) AS n FROM board_changes) c WHERE v.id = 1',
    )) as { rows: Array<{ version: number | string; changes: number | string }> };
    const row = result.rows[0];
    if (row === undefined) throw new Error('database: board_version has no row (migration 0012-board-version)');
    return { version: Number(row.version), changes: Number(row.changes) };
  }
  const row = (await db('board_version').where('id', 1).first('version')) as { version: number | string } | undefined;
  if (row === undefined) throw new Error('database: board_version has no row (migration 0012-board-version)');
  return { version: Number(row.version), changes: 0 };
}

/**
 * PostgreSQL: folds the committed `board_changes` rows into `board_version.version`, in one statement, so that the
 * sum (the version) is the same before and after for every reader. A change still uncommitted is not deleted
 * (invisible to the DELETE) and counts when it commits.
 */
export async function compactBoardVersion(db: Db): Promise<void> {
  if (db.dialect !== 'postgres') return;
  await db.raw('WITH gone AS (DELETE FROM board_changes RETURNING tx) UPDATE board_version SET version = version + (SELECT count(*) FROM gone) WHERE id = 1');
}

/**
 * Whether every table a board is read from has its version triggers (migration 0012). A later migration that
 * rebuilds a table (SQLite's way to alter one: copy, drop, rename) drops its triggers with it: then nothing would
 * raise the version, and the cache would serve a stale board. The cache checks once, and without them builds
 * every board afresh (and says so).
 */
export async function boardTriggersPresent(db: Db): Promise<boolean> {
  const names = (
    db.dialect === 'postgres'
      ? (
          (await db.raw(
            "SELECT DISTINCT trigger_name AS name FROM information_schema.triggers WHERE trigger_schema = current_schema() AND trigger_name LIKE 'board_version_%'",
          )) as { rows: Array<{ name: string }> }
        ).rows
      : ((await db.raw("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'board_version_%'")) as Array<{ name: string }>)
  ).map((r) => r.name);
  const expected = BOARD_TABLES.flatMap((t) =>
    db.dialect === 'postgres' ? [`board_version_${t}`] : ['insert', 'update', 'delete'].map((op) => `board_version_${t}_${op}`),
  );
  return expected.every((n) => names.includes(n));
}

/**
 * One version query at a time, shared by the reads that arrive while it runs, and never older than a read:
 * a read that finds a query running waits for the next one, which starts when the running one ends (and so
 * after the read arrived). Under load many reads share each query; alone, a read costs one.
 */
export class VersionCheck {
  private running: Promise<number> | null = null;
  private waiting: Promise<number> | null = null;

  constructor(private readonly query: () => Promise<number>) {}

  read(): Promise<number> {
    if (this.running === null) return this.issue();
    const after = this.running;
    this.waiting ??= after.then(
      () => this.next(),
      () => this.next(),
    );
    return this.waiting;
  }

  private next(): Promise<number> {
    this.waiting = null;
    return this.issue();
  }

  private issue(): Promise<number> {
    const p = this.query();
    this.running = p;
    const settled = (): void => {
      if (this.running === p) this.running = null;
    };
    p.then(settled, settled);
    return p;
  }
}

/** A map that keeps its `max` most recently used entries. */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`an LRU map holds at least one entry, not ${max}`);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      // Map keeps insertion order: re-inserting makes it the most recent.
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
}

export interface BoardCacheOptions {
  /** How many boards (a track, viewer, view and clock state each) are kept (default DEFAULT_BOARD_CACHE_ENTRIES). */
  readonly maxEntries?: number;
}

const viewerKey = (v: Viewer): string => (v.kind === 'team' ? `team:${v.teamId}` : v.kind);

export class BoardCache {
  private readonly boards: LruMap<string, CachedBoard>;
  /** Builds under way, by key and version: concurrent reads of a missing board build it once. */
  private readonly building = new Map<string, Promise<CachedBoard>>();
  private readonly version: VersionCheck;
  private phases: { readonly version: number; readonly phases: Promise<readonly Phase[]> } | null = null;
  /** Tracks are keyed by identity (two apps on one database may serve different tracks under one name). */
  private readonly trackIds = new WeakMap<Track, number>();
  private builds = 0;
  private compacting: Promise<void> | null = null;
  private triggers: Promise<boolean> | null = null;
  private trackCount = 0;

  constructor(
    private readonly db: Db,
    options: BoardCacheOptions = {},
  ) {
    this.boards = new LruMap(options.maxEntries ?? DEFAULT_BOARD_CACHE_ENTRIES);
    this.version = new VersionCheck(async () => {
      const { version, changes } = await readBoardVersionRows(db);
      if (changes >= BOARD_CHANGES_COMPACT_AT && this.compacting === null) {
        // In the background, one at a time: the version it leaves is the same, so no read waits for it.
        this.compacting = compactBoardVersion(db)
          .catch((e: unknown) => {
            process.stderr.write(`board cache: compacting board_changes failed (it is retried): ${String(e)}\n`);
          })
          .finally(() => (this.compacting = null));
      }
      return version;
    });
  }

  /** How many boards were built (tests: that a read was served from the cache or not). */
  get buildCount(): number {
    return this.builds;
  }

  get size(): number {
    return this.boards.size;
  }

  /** The board as buildLeaderboard(db, track, viewer, { ...query, now }) builds it, from the cache when nothing it depends on changed. */
  async board(track: Track, viewer: Viewer, query: LeaderboardQuery, now: number): Promise<CachedBoard> {
    this.triggers ??= boardTriggersPresent(this.db).then(
      (present) => {
        if (!present) process.stderr.write('board cache: the board_version triggers (migration 0012) are missing on some table: every board is built afresh\n');
        return present;
      },
      (e: unknown) => {
        this.triggers = null;
        throw e;
      },
    );
    if (!(await this.triggers)) {
      this.builds += 1;
      return new CachedBoard(0, await buildLeaderboard(this.db, track, viewer, { ...query, now }));
    }
    const version = await this.version.read();
    const { autoAt, current } = boardClock(await this.phasesAt(version), track.name, now);
    const key = JSON.stringify([
      this.trackId(track),
      viewerKey(viewer),
      query.board ?? null,
      query.sort ?? null,
      query.order ?? null,
      query.phase ?? null,
      query.round ?? null,
      autoAt,
      current?.name ?? null,
    ]);
    const cached = this.boards.get(key);
    if (cached !== undefined && cached.version === version) return cached;
    const id = `${version}:${key}`;
    let build = this.building.get(id);
    if (build === undefined) {
      build = this.build(key, version, track, viewer, query, now);
      this.building.set(id, build);
      const done = (): void => void this.building.delete(id);
      build.then(done, done);
    }
    return build;
  }

  private async build(key: string, version: number, track: Track, viewer: Viewer, query: LeaderboardQuery, now: number): Promise<CachedBoard> {
    this.builds += 1;
    const entry = new CachedBoard(version, await buildLeaderboard(this.db, track, viewer, { ...query, now }));
    // A slower build of an older version must not replace a newer one.
    const there = this.boards.get(key);
    if (there === undefined || there.version <= version) this.boards.set(key, entry);
    return entry;
  }

  /** The competition's phases at this version (read once per version: they change only with it). */
  private phasesAt(version: number): Promise<readonly Phase[]> {
    if (this.phases === null || this.phases.version !== version) {
      const phases = readPhases(this.db);
      this.phases = { version, phases };
      phases.catch(() => {
        if (this.phases?.phases === phases) this.phases = null;
      });
    }
    return this.phases.phases;
  }

  private trackId(track: Track): number {
    let id = this.trackIds.get(track);
    if (id === undefined) {
      id = ++this.trackCount;
      this.trackIds.set(track, id);
    }
    return id;
  }
}

/**
 * The cache of a database handle's boards, shared by the API and the pages that read it (one per Db, living as
 * long as it does). The routers receive the Db and nothing else in common; a cache passed in by the app would do
 * as well.
 */
const caches = new WeakMap<Db, BoardCache>();

export function boardCacheOf(db: Db): BoardCache {
  let cache = caches.get(db);
  if (cache === undefined) {
    cache = new BoardCache(db);
    caches.set(db, cache);
  }
  return cache;
}
