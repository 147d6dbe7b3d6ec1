import { postgresTestDatabase } from '../db/testing/databases.js';
import { boardCacheContract } from './testing/board-cache.contract.js';

// The real server at 127.0.0.1:5432 (or LPCV_TEST_PG_URL), in a fresh schema: unreachable is a failure.
boardCacheContract('postgres', postgresTestDatabase());
