import { exportCommand } from '../../cli/commands/export.js';
import { exportContract } from './testing/export.contract.js';
import { sqliteDataDir } from './testing/sqlite-data-dir.js';

// The database file in the data folder, where `lpcv export --data-dir` looks for it.
const database = sqliteDataDir();
exportContract(database, exportCommand, database.dir);
