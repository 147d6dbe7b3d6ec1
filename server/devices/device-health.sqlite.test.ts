import { sqliteTestDatabase } from '../db/test-databases.js';
import { deviceHealthContract } from './device-health-contract.js';

deviceHealthContract(sqliteTestDatabase());
