import { postgresTestDatabase } from '../db/testing/databases.js';
import { adminOperationsContract } from './testing/admin-operations.contract.js';

adminOperationsContract(postgresTestDatabase());
