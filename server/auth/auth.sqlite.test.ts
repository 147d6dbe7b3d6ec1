import { sqliteTestDatabase } from '../db/test-databases.js';
import { authContract } from './auth-contract.js';

// A real file in the OS's temporary folder, as the server uses.
authContract(sqliteTestDatabase());
