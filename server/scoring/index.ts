/**
 * The server's side of scoring device runs: the results table that keeps the raw samples for a re-score, and
 * the input packs agents download instead of the data set. The completion itself is decoded by the wire module
 * (harness/wire/completion.ts) and scored with the hidden labels by harness/score/score-completion.ts, the same
 * code `lpcv score` runs.
 */
export { InputPackCache, type CachedInputPack } from './input-pack-cache.js';
export { getResultOfJob, insertResult, type NewResult, type StoredResult } from './results-table.js';
