import type { Competition, Phase } from './competition.js';
import type { CompetitionFile } from './competition-schema.js';

/** One problem of a bundle that passed its schema: the key (as docs name keys: `phases.1.end`) and what was expected. */
export interface CompetitionProblem {
  readonly key: string;
  readonly message: string;
}

/** What the cross-checks need to know of each track: its name and whether it has a public leaderboard split. */
export interface TrackFacts {
  readonly name: string;
  readonly publicSplit: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The checks that span keys (pure): every phase track is one of the bundle's tracks, end after start, rounds
 * inside their phase and apart, phases of one track apart (a track has at most one open phase at a time),
 * names unique, and a phase that ranks the public board only on tracks that have one.
 * `tracks` are the bundle's tracks, loaded, in its order.
 */
export function competitionProblems(file: CompetitionFile, tracks: readonly TrackFacts[]): CompetitionProblem[] {
  const problems: CompetitionProblem[] = [];
  const byName = new Map<string, TrackFacts>();
  tracks.forEach((t, i) => {
    if (byName.has(t.name)) problems.push({ key: `tracks.${i}`, message: `names track ${t.name} again (each track once)` });
    byName.set(t.name, t);
  });
  const phaseNames = new Set<string>();
  file.phases.forEach((p, i) => {
    const at = `phases.${i}`;
    if (phaseNames.has(p.name)) problems.push({ key: `${at}.name`, message: `phase name ${p.name} is used twice (each phase a name of its own)` });
    phaseNames.add(p.name);
    const start = Date.parse(p.start);
    const end = Date.parse(p.end);
    if (!(end > start)) problems.push({ key: `${at}.end`, message: `must be after start (${p.start}); it is ${p.end}` });
    const seen = new Set<string>();
    p.tracks.forEach((name, j) => {
      const track = byName.get(name);
      if (track === undefined)
        problems.push({ key: `${at}.tracks.${j}`, message: `${JSON.stringify(name)} is not one of the bundle's tracks (${[...byName.keys()].join(', ')})` });
      else if (p.board === 'public' && track.publicSplit === null)
        problems.push({
          key: `${at}.board`,
          message: `"public" needs a public leaderboard split, and track ${name} has none (leaderboard.publicSplit in its track file)`,
        });
      if (seen.has(name)) problems.push({ key: `${at}.tracks.${j}`, message: `names track ${name} twice` });
      seen.add(name);
    });
    const roundNames = new Set<string>();
    let previousEnd = -Infinity;
    p.rounds.forEach((r, k) => {
      const rk = `${at}.rounds.${k}`;
      const rs = Date.parse(r.start);
      const re = Date.parse(r.end);
      if (roundNames.has(r.name)) problems.push({ key: `${rk}.name`, message: `round name ${r.name} is used twice in phase ${p.name}` });
      roundNames.add(r.name);
      if (!(re > rs)) problems.push({ key: `${rk}.end`, message: `must be after start (${r.start}); it is ${r.end}` });
      if (rs < start || re > end) problems.push({ key: rk, message: `must lie within its phase (${p.start} to ${p.end}); it runs ${r.start} to ${r.end}` });
      if (rs < previousEnd)
        problems.push({ key: `${rk}.start`, message: `must not start before the previous round ends (${iso(previousEnd)}): rounds are in order and apart` });
      previousEnd = Math.max(previousEnd, re);
    });
  });
  // Phases of one track must not overlap: an upload must fall in one phase at most.
  file.phases.forEach((p, i) => {
    for (let j = 0; j < i; j++) {
      const q = file.phases[j]!;
      const shared = p.tracks.filter((t) => q.tracks.includes(t));
      if (shared.length === 0) continue;
      const overlap = Date.parse(p.start) < Date.parse(q.end) && Date.parse(q.start) < Date.parse(p.end);
      if (overlap)
        problems.push({
          key: `phases.${i}.start`,
          message: `phase ${p.name} (${p.start} to ${p.end}) overlaps phase ${q.name} (${q.start} to ${q.end}) on track ${shared.join(', ')}: phases of one track must not overlap`,
        });
    }
  });
  return problems;
}

/** The validated bundle as the server uses it (times as epoch ms). Call once competitionProblems found nothing. */
export function toCompetition(file: CompetitionFile, trackNames: readonly string[]): Competition {
  const phases: Phase[] = file.phases.map((p) => ({
    name: p.name,
    title: p.title ?? p.name,
    tracks: [...p.tracks],
    startAt: Date.parse(p.start),
    endAt: Date.parse(p.end),
    board: p.board,
    boardVisible: p.boardVisible,
    reveal: p.reveal,
    quota: { perDay: p.quota.perDay ?? null, total: p.quota.total ?? null, failed: p.quota.failed ?? null },
    rounds: p.rounds.map((r) => ({ name: r.name, startAt: Date.parse(r.start), endAt: Date.parse(r.end) })),
  }));
  return {
    name: file.name,
    title: file.title,
    tracks: [...trackNames],
    phases,
    webhooks: file.webhooks.map((w) => ({ ...w, events: [...w.events] })),
    registration: { mode: file.registration.mode, allowedDomains: [...file.registration.allowedDomains] },
  };
}
