import { sqliteTestDatabase } from '../db/testing/databases.js';
import { leaderboardApiContract } from './testing/leaderboard-api.contract.js';

leaderboardApiContract('sqlite', sqliteTestDatabase());
