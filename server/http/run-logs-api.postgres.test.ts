import { postgresTestDatabase } from '../db/testing/databases.js';
import { runLogsContract } from './testing/run-logs.contract.js';

// The real server at 127.0.0.1:5432 (or LPCV_TEST_PG_URL), in a fresh schema for this file: unreachable is
// a failure, never a skip.
runLogsContract(postgresTestDatabase());
