import { sqliteTestDatabase } from '../db/testing/databases.js';
import { boardCacheContract } from './testing/board-cache.contract.js';

boardCacheContract('sqlite', sqliteTestDatabase());
