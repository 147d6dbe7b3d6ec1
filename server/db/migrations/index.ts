import { jobsMigration } from './0001-jobs.js';
import { teamsAgentsMigration } from './0002-teams-agents.js';
import { submissionsMigration } from './0003-submissions.js';
import { devicesResultsMigration } from './0004-devices-results.js';
import { leaderboardMigration } from './0005-leaderboard.js';
import { deviceHealthMigration } from './0006-device-health.js';
import { rescoringMigration } from './0007-rescoring.js';
import { oneResultStoreMigration } from './0008-one-result-store.js';
import { competitionsMigration } from './0009-competitions.js';
import { competitionOperationsMigration } from './0010-competition-operations.js';
import { accountsMigration } from './0011-accounts.js';
import { boardVersionMigration } from './0012-board-version.js';
import { queueLeaseIndexMigration } from './0013-queue-lease-index.js';
import type { Migration } from './migration.js';

/** Every migration, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  jobsMigration,
  teamsAgentsMigration,
  submissionsMigration,
  devicesResultsMigration,
  leaderboardMigration,
  deviceHealthMigration,
  rescoringMigration,
  oneResultStoreMigration,
  competitionsMigration,
  competitionOperationsMigration,
  accountsMigration,
  boardVersionMigration,
  queueLeaseIndexMigration,
];
