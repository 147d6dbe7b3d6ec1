import { postgresTestDatabase } from '../db/testing/databases.js';
import { operationsContract } from './testing/operations.contract.js';

// The real server at 127.0.0.1:5432 (or LPCV_TEST_PG_URL), in a fresh schema for this file.
operationsContract(postgresTestDatabase());
