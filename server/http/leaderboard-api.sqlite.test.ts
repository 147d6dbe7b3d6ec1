import { sqliteTestDatabase } from '../db/test-databases.js';
import { leaderboardApiContract } from './leaderboard-api-contract.js';

leaderboardApiContract('sqlite', sqliteTestDatabase());
