import { sqliteTestDatabase } from '../db/testing/databases.js';
import { agentApiContract } from './testing/agent-api.contract.js';

agentApiContract(sqliteTestDatabase());
