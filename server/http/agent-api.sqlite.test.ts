import { sqliteTestDatabase } from '../db/test-databases.js';
import { agentApiContract } from './agent-api-contract.js';

agentApiContract(sqliteTestDatabase());
