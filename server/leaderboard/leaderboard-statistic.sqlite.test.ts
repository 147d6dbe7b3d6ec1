import { sqliteTestDatabase } from '../db/testing/databases.js';
import { leaderboardStatisticContract } from './testing/leaderboard-statistic.contract.js';

leaderboardStatisticContract('sqlite', sqliteTestDatabase());
