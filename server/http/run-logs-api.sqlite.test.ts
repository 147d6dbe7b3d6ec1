import { sqliteTestDatabase } from '../db/testing/databases.js';
import { runLogsContract } from './testing/run-logs.contract.js';

runLogsContract(sqliteTestDatabase());
