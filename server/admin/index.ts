/** Organizers' operations (docs/api.md, "Organizer operations"): audited re-runs and the bulk export. */
export { listRecentAdminAudit, recordAdminAudit, type AdminAction, type AdminAuditEntry } from './admin-audit.js';
export { writeExport, type ExportSummary } from './export-zip.js';
export { rerunDeadJobs, rerunSubmission, rerunTrack, type RerunReport } from './rerun-jobs.js';
