import { exportCommand } from '../../cli/commands/export.js';
import { postgresTestDatabase } from '../db/testing/databases.js';
import { exportContract } from './testing/export.contract.js';

exportContract(postgresTestDatabase(), exportCommand);
