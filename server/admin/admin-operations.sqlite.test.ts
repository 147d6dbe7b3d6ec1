import { sqliteTestDatabase } from '../db/testing/databases.js';
import { adminOperationsContract } from './testing/admin-operations.contract.js';

adminOperationsContract(sqliteTestDatabase());
