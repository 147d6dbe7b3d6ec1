import { queueContract } from './testing/queue.contract.js';
import { postgresTestDatabase } from '../db/testing/databases.js';

// The real server at 127.0.0.1:5432 (or LPCV_TEST_PG_URL), in a fresh schema for this file. Unreachable
// is a failure, never a skip: CI has PostgreSQL.
queueContract(postgresTestDatabase());
