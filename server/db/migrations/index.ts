import { jobsMigration } from './0001-jobs.js';
import type { Migration } from './migration.js';

/** Every migration, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [jobsMigration];
