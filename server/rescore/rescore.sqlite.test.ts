import { sqliteDataDir } from '../db/testing/sqlite-data-dir.js';
import { rescoreContract } from './testing/rescore.contract.js';

// The database file in a data folder, where `lpcv rescore --data-dir` (the CLI child process) finds it.
rescoreContract('sqlite', sqliteDataDir('lpcv-rescore-db-'));
