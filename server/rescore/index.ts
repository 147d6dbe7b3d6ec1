/** Re-scoring a track from its stored raw measurements, with the rank changes and the audit log (docs/rescoring.md). */
export { describeMoves, rankDiff, type RankChange, type Standing } from './rank-diff.js';
export { insertRescoreAudit, listRescoreAudit, type RescoreAuditEntry } from './rescore-audit.js';
export { lookUpFormula, parseParamArgs, resolveRescoreFormula, type RescoreRequest } from './rescore-request.js';
export { rescoreTrack, type RescoreFailure, type RescoreOptions, type RescoreReport } from './rescore-track.js';
