/**
 * Submission quotas: per team, per track, per UTC day; a submission whose job failed for infrastructure
 * reasons does not count (docs/api.md, "Quotas"). The window is a pure function of `now`.
 */
export { checkQuota, quotaExceededError, type QuotaExceededDetail } from './check-quota.js';
export { checkPhaseLimits, countPhaseUsed } from './check-phase-quota.js';
export { countQuotaUsed, type QuotaSubject } from './count-quota-used.js';
export { DEFAULT_QUOTA, UNLIMITED_QUOTA, quotaLimitFor, validateQuotaConfig, type QuotaConfig } from './quota-config.js';
export { quotaWindow, secondsUntilReset, type QuotaWindow } from './quota-window.js';
