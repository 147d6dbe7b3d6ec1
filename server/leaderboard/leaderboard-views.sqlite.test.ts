import { sqliteTestDatabase } from '../db/testing/databases.js';
import { leaderboardViewsContract } from './testing/leaderboard-views.contract.js';

leaderboardViewsContract('sqlite', sqliteTestDatabase());
