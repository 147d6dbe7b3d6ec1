import { sqliteTestDatabase } from '../db/testing/databases.js';
import { deviceHealthContract } from './testing/device-health.contract.js';

deviceHealthContract(sqliteTestDatabase());
