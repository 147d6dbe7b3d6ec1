import { sqliteTestDatabase } from '../db/testing/databases.js';
import { webhooksContract } from './testing/webhooks.contract.js';

// A real file in the OS's temporary folder, as the server uses.
webhooksContract(sqliteTestDatabase());
