import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { loadCompetitionFile } from './load-competition.js';

const SAMPLE = fileURLToPath(new URL('../../competitions/sample/competition.yaml', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-competition-'));

/** A small valid bundle over built-in tracks, as lines, for the cases to break. */
const VALID = `name: spring
title: Spring challenge
tracks: [fashion-mnist, fashion-det]
phases:
  - name: dev
    tracks: [fashion-mnist, fashion-det]
    start: "2025-03-01T00:00:00Z"
    end: "2025-04-01T00:00:00-04:00"
    quota: { perDay: 5, total: 20, failed: 4 }
    rounds:
      - { name: r1, start: "2025-03-01T00:00:00Z", end: "2025-03-15T00:00:00Z" }
      - { name: r2, start: "2025-03-15T00:00:00Z", end: "2025-04-01T00:00:00Z" }
  - name: final
    tracks: [fashion-mnist]
    start: "2025-04-01T00:00:00-04:00"
    end: "2025-04-08T00:00:00-04:00"
    boardVisible: false
    reveal: auto
`;

let n = 0;
function write(text: string): string {
  const file = path.join(dir, `bundle-${++n}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** The refusal of a bundle: LPCV_E_COMPETITION_CONFIG, its message naming the file, and the keys it names. */
function refusal(text: string): { message: string; keys: string[] } {
  const file = write(text);
  try {
    loadCompetitionFile(file);
  } catch (e) {
    expect(e).toBeInstanceOf(LpcvError);
    const err = e as LpcvError;
    expect(err.code).toBe('LPCV_E_COMPETITION_CONFIG');
    expect(err.exitCode).toBe(3);
    expect(err.message.startsWith(`${file}: `)).toBe(true);
    return { message: err.message, keys: (err.detail!.issues as Array<{ key: string }>).map((i) => i.key) };
  }
  throw new Error('the bundle was accepted');
}

describe('a competition bundle', () => {
  it('the sample bundle in the repository is valid, its times read with their zones', () => {
    const { competition, tracks } = loadCompetitionFile(SAMPLE);
    expect(competition.tracks).toEqual(['fashion-mnist', 'fashion-det', 'fashion-seg']);
    expect(tracks.map((t) => t.name)).toEqual(competition.tracks);
    const final = competition.phases.find((p) => p.name === 'final')!;
    expect(new Date(final.startAt).toISOString()).toBe('2035-01-01T05:00:00.000Z');
    expect(final).toMatchObject({ boardVisible: false, reveal: 'auto', quota: { perDay: 1, total: 3, failed: null } });
  });

  it('reads defaults: private board, visible, manual reveal, no limits, no rounds, no webhooks', () => {
    const { competition } = loadCompetitionFile(write(VALID));
    expect(competition.phases[0]).toMatchObject({
      name: 'dev',
      title: 'dev',
      board: 'private',
      boardVisible: true,
      reveal: 'manual',
      endAt: Date.parse('2025-04-01T04:00:00Z'),
      quota: { perDay: 5, total: 20, failed: 4 },
    });
    expect(competition.phases[1]!.rounds).toEqual([]);
    expect(competition.webhooks).toEqual([]);
  });

  it('refuses an unknown key, naming where it is', () => {
    expect(refusal(VALID.replace('title: Spring challenge', 'title: Spring challenge\ncolour: red')).keys).toEqual(['(top level)']);
    const r = refusal(VALID.replace('    reveal: auto', '    reveal: auto\n    revealAt: "2025-05-01T00:00:00Z"'));
    expect(r.keys).toEqual(['phases.1']);
    expect(r.message).toMatch(/revealAt/);
  });

  it('refuses an end before its start, and rounds outside their phase or out of order', () => {
    const r = refusal(VALID.replace('end: "2025-04-08T00:00:00-04:00"', 'end: "2025-03-08T00:00:00-04:00"'));
    expect(r.keys).toContain('phases.1.end');
    expect(r.message).toMatch(/phases\.1\.end: must be after start/);
    expect(refusal(VALID.replace('end: "2025-04-01T00:00:00Z" }', 'end: "2025-04-02T00:00:00Z" }')).keys).toEqual(['phases.0.rounds.1']);
    expect(refusal(VALID.replace('{ name: r2, start: "2025-03-15T00:00:00Z"', '{ name: r2, start: "2025-03-10T00:00:00Z"')).keys).toEqual([
      'phases.0.rounds.1.start',
    ]);
  });

  it('refuses a track that does not exist, and a phase track the bundle does not list', () => {
    const r = refusal(VALID.replace('tracks: [fashion-mnist, fashion-det]\nphases', 'tracks: [fashion-mnist, fashion-nope]\nphases'));
    expect(r.keys).toEqual(['tracks.1']);
    expect(r.message).toMatch(/fashion-nope/);
    expect(refusal(VALID.replace('    tracks: [fashion-mnist]\n', '    tracks: [fashion-seg]\n')).keys).toEqual(['phases.1.tracks.0']);
    expect(refusal(VALID.replace('tracks: [fashion-mnist, fashion-det]\nphases', 'tracks: [fashion-mnist, ./no/such/track.json]\nphases')).keys).toEqual([
      'tracks.1',
    ]);
  });

  it('refuses phases that overlap on one track, and allows them on different tracks', () => {
    const overlapping = VALID.replace('start: "2025-04-01T00:00:00-04:00"\n    end: "2025-04-08', 'start: "2025-03-31T00:00:00-04:00"\n    end: "2025-04-08');
    const r = refusal(overlapping);
    expect(r.keys).toEqual(['phases.1.start']);
    expect(r.message).toMatch(/overlaps phase dev .* on track fashion-mnist/);
    // The same times on a track the other phase does not name: accepted.
    const apart = overlapping.replace('tracks: [fashion-mnist, fashion-det]\n    start', 'tracks: [fashion-det]\n    start');
    expect(loadCompetitionFile(write(apart)).competition.phases).toHaveLength(2);
  });

  it('refuses times without a zone or that do not exist, a public board on a track without one, names used twice', () => {
    expect(refusal(VALID.replace('start: "2025-03-01T00:00:00Z"\n    end', 'start: "2025-03-01T00:00:00"\n    end')).keys).toEqual(['phases.0.start']);
    expect(refusal(VALID.replace('start: "2025-03-01T00:00:00Z"\n    end', 'start: "2025-02-30T00:00:00Z"\n    end')).keys).toEqual(['phases.0.start']);
    // Unquoted, YAML 1.2 reads it as a string too: it is the zone that is missing.
    expect(refusal(VALID.replace('start: "2025-03-01T00:00:00Z"\n    end', 'start: 2025-03-01\n    end')).keys).toEqual(['phases.0.start']);
    const pub = refusal(VALID.replace('    reveal: auto', '    reveal: auto\n    board: public'));
    expect(pub.keys).toEqual(['phases.1.board']);
    expect(pub.message).toMatch(/publicSplit/);
    expect(refusal(VALID.replace('name: final', 'name: dev')).keys).toContain('phases.1.name');
  });

  it('refuses YAML that does not parse, a duplicate key, a missing file, a webhook without its secret variable', () => {
    expect(refusal('name: x\ntitle: [unclosed\n').message).toMatch(/not valid YAML/);
    expect(refusal(VALID.replace('title: Spring challenge', 'title: Spring challenge\ntitle: again')).message).toMatch(/not valid YAML/);
    expect(() => loadCompetitionFile(path.join(dir, 'none.yaml'))).toThrow(/no such file/);
    const hooks = `${VALID}webhooks:\n  - url: http://127.0.0.1:9/hook\n    events: [submission.done]\n`;
    expect(refusal(hooks).keys).toEqual(['webhooks.0.secretEnv']);
    expect(refusal(hooks.replace('events: [submission.done]', 'secretEnv: HOOK_SECRET\n    events: [submission.exploded]')).keys).toEqual([
      'webhooks.0.events.0',
    ]);
    expect(loadCompetitionFile(write(hooks.replace('events:', 'secretEnv: HOOK_SECRET\n    events:'))).competition.webhooks).toEqual([
      { url: 'http://127.0.0.1:9/hook', secretEnv: 'HOOK_SECRET', events: ['submission.done'] },
    ]);
  });
});
