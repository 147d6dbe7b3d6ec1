import { queueContract } from './testing/queue.contract.js';
import { sqliteTestDatabase } from '../db/testing/databases.js';

// A real file in the OS's temporary folder (never :memory:), so that close/reopen and several connections
// behave as they do in the server.
queueContract(sqliteTestDatabase());
