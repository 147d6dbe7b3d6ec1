import { postgresTestDatabase } from '../db/testing/databases.js';
import { concurrentClaimContract, webhooksContract } from './testing/webhooks.contract.js';

// The real server at 127.0.0.1:5432 (or LPCV_TEST_PG_URL), a fresh schema per suite. Unreachable is a
// failure, never a skip.
webhooksContract(postgresTestDatabase());
// Two connections claiming at once: only PostgreSQL has concurrent writers (SQLite has one write lock).
concurrentClaimContract(postgresTestDatabase());
