import { exportCommand } from '../../cli/commands/export.js';
import { exportContract } from './testing/export.contract.js';
import { sqliteDataDir } from '../db/testing/sqlite-data-dir.js';

// The database file in the data folder, where `lpcv export --data-dir` looks for it.
const database = sqliteDataDir('lpcv-export-db-');
exportContract(database, exportCommand, database.dir);
