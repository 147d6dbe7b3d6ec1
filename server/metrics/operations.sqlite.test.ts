import { sqliteTestDatabase } from '../db/testing/databases.js';
import { operationsContract } from './testing/operations.contract.js';

operationsContract(sqliteTestDatabase());
