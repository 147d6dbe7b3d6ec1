/**
 * Server-side scoring of device runs: the completion an agent sends (decoded by the wire module's
 * parseCompletion, harness/wire/completion.ts), scored with the hidden labels by the same code as `lpcv score`;
 * the results table that keeps the raw samples for a re-score; and the input packs agents download instead of
 * the data set.
 */
// The server's re-score (server/rescore/) reads stored completions through here.
export { parseCompletion, type Completion, type CompletionJson } from '../../harness/wire/index.js';
export { InputPackCache, type CachedInputPack } from './input-pack-cache.js';
export { getResultOfJob, insertResult, type NewResult, type StoredResult } from './results-table.js';
export { scoreCompletion, type ScoreCompletionArgs } from './score-completion.js';
