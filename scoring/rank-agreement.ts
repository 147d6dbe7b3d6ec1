/**
 * Agreement between rankings of the same items (best first), for the rank-stability benchmark: Kendall's tau and
 * the pairs whose order changes from one ranking to another. Pure.
 *
 * A ranking here is a strict order (a list of distinct names), so no pair is tied in either ranking and tau-b,
 * (C - D) / sqrt((P - T_a)(P - T_b)), reduces to (C - D) / P with P = n(n - 1)/2 pairs, C the pairs both rankings
 * put in the same order and D the others: 1 for the same order, -1 for the reverse. That is the value
 * scipy.stats.kendalltau (variant 'b', its default) gives for the two rank vectors. O(n^2) pairs, fine for a
 * leaderboard's hundreds of entries.
 */
import { LpcvError } from '../errors/lpcv-error.js';

/** Kendall's tau-b between two rankings of the same distinct items, best first. */
export function kendallTau(a: readonly string[], b: readonly string[]): number {
  const posA = positions(a, 'the first ranking');
  const posB = positions(b, 'the second ranking');
  sameItems(posA, posB, 'the two rankings');
  if (a.length < 2) throw new LpcvError('LPCV_E_FORMULA_INPUT', `Kendall's tau needs at least 2 items, got ${a.length}`);
  const inB = a.map((item) => posB.get(item) as number); // b's position of a's i-th item
  let concordant = 0;
  let discordant = 0;
  for (let i = 0; i < inB.length; i++) {
    for (let j = i + 1; j < inB.length; j++) {
      if (inB[i] < inB[j]) concordant++;
      else discordant++;
    }
  }
  return (concordant - discordant) / ((a.length * (a.length - 1)) / 2);
}

export interface FlippedPair {
  /** The item the majority of rankings puts first (on an even split, the one the first ranking puts first). */
  a: string;
  b: string;
  /** How many rankings put b before a: the minority order. */
  times: number;
}

/**
 * Pairs of items ordered differently by at least two of the rankings (all of the same distinct items), with how
 * many rankings put them the minority way. Most-flipped first; then in the first ranking's order of a, then b.
 * Fewer than two rankings have no flips.
 */
export function flippedPairs(rankings: readonly (readonly string[])[]): FlippedPair[] {
  if (rankings.length === 0) return [];
  const pos = rankings.map((r, i) => positions(r, `ranking ${i}`));
  for (let i = 1; i < pos.length; i++) sameItems(pos[0], pos[i], `ranking 0 and ranking ${i}`);
  const items = rankings[0];
  const flips: (FlippedPair & { order: [number, number] })[] = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      // items[i] is ahead of items[j] in ranking 0; count the rankings that agree.
      let ahead = 0;
      for (const p of pos) if ((p.get(items[i]) as number) < (p.get(items[j]) as number)) ahead++;
      const behind = rankings.length - ahead;
      if (ahead === 0 || behind === 0) continue;
      flips.push(ahead >= behind ? { a: items[i], b: items[j], times: behind, order: [i, j] } : { a: items[j], b: items[i], times: ahead, order: [j, i] });
    }
  }
  flips.sort((x, y) => y.times - x.times || x.order[0] - y.order[0] || x.order[1] - y.order[1]);
  return flips.map(({ a, b, times }) => ({ a, b, times }));
}

/** Item -> 0-based position; refuses a repeated item. */
function positions(ranking: readonly string[], what: string): Map<string, number> {
  const pos = new Map<string, number>();
  ranking.forEach((item, i) => {
    if (pos.has(item)) throw new LpcvError('LPCV_E_FORMULA_INPUT', `${what} lists "${item}" twice`);
    pos.set(item, i);
  });
  return pos;
}

function sameItems(x: Map<string, number>, y: Map<string, number>, what: string): void {
  const missing = [...x.keys()].find((k) => !y.has(k)) ?? [...y.keys()].find((k) => !x.has(k));
  if (missing !== undefined) {
    throw new LpcvError('LPCV_E_FORMULA_INPUT', `${what} rank different items ("${missing}" is in only one)`);
  }
}
