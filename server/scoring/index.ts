/**
 * Server-side scoring of device runs: the completion an agent sends (decoded by the wire module's
 * parseCompletion, harness/wire/completion.ts), scored with the hidden labels by the same code as `lpcv score`;
 * the results table that keeps the raw samples for a re-score; and the input packs agents download instead of
 * the data set.
 */
export { InputPackCache, type CachedInputPack } from './input-pack-cache.js';
export { getResultOfJob, insertResult, type NewResult, type StoredResult } from './results-table.js';
export { scoreCompletion, type ScoreCompletionArgs } from './score-completion.js';
