import { sqliteTestDatabase } from '../db/testing/databases.js';
import { authContract } from './testing/auth.contract.js';

// A real file in the OS's temporary folder, as the server uses.
authContract(sqliteTestDatabase());
