/** The board cache's parts without a database: the shared version check and the bounded map. */
import { describe, expect, it } from 'vitest';
import { LruMap, VersionCheck } from './board-cache.js';

/** A version query the test answers by hand. */
function manualQuery(): { query: () => Promise<number>; issued: () => number; answer: (v: number) => Promise<void> } {
  const pending: Array<(v: number) => void> = [];
  let issued = 0;
  return {
    query: () => {
      issued++;
      return new Promise<number>((resolve) => pending.push(resolve));
    },
    issued: () => issued,
    answer: async (v) => {
      pending.shift()!(v);
      // Let the promise reactions (the next query's start) run.
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}

describe('VersionCheck', () => {
  it('runs one query at a time: reads that arrive while one runs share the next one, issued after they arrived', async () => {
    const q = manualQuery();
    const check = new VersionCheck(q.query);
    const first = check.read();
    const second = check.read();
    const third = check.read();
    expect(q.issued()).toBe(1);
    // A write committed here (version 2) was committed before `second` and `third` arrived: they must not get 1.
    await q.answer(1);
    expect(await first).toBe(1);
    expect(q.issued()).toBe(2);
    await q.answer(2);
    expect([await second, await third]).toEqual([2, 2]);
  });

  it('issues a new query for a read after the last one ended', async () => {
    const q = manualQuery();
    const check = new VersionCheck(q.query);
    const a = check.read();
    await q.answer(7);
    expect(await a).toBe(7);
    const b = check.read();
    expect(q.issued()).toBe(2);
    await q.answer(8);
    expect(await b).toBe(8);
  });

  it('passes a failed query to its readers, and the waiting readers still get a query of their own', async () => {
    let n = 0;
    const check = new VersionCheck(() => (++n === 1 ? Promise.reject(new Error('gone')) : Promise.resolve(n)));
    const failed = check.read();
    const waiting = check.read();
    await expect(failed).rejects.toThrow('gone');
    expect(await waiting).toBe(2);
  });
});

describe('LruMap', () => {
  it('keeps the most recently used entries, up to its size', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1);
    m.set('c', 3);
    expect([m.get('a'), m.get('b'), m.get('c'), m.size]).toEqual([1, undefined, 3, 2]);
  });

  it('refuses a size below one', () => {
    expect(() => new LruMap(0)).toThrow('at least one entry');
  });
});
