import { postgresTestDatabase } from '../db/test-databases.js';
import { rescoreContract } from './rescore-contract.js';

// The real server at 127.0.0.1:5432 (or LPCV_TEST_PG_URL), in a fresh schema: unreachable is a failure.
rescoreContract('postgres', postgresTestDatabase());
