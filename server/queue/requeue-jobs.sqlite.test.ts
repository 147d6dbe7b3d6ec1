import { sqliteTestDatabase } from '../db/testing/databases.js';
import { requeueContract } from './testing/requeue.contract.js';

requeueContract(sqliteTestDatabase());
