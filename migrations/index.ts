import { CreateSlos1764086400000 } from './1764086400000-CreateSlos.js';
import { CreateAlerts1764090000000 } from './1764090000000-CreateAlerts.js';

/** Applied in this order; a new migration is appended here. */
export const ALL_MIGRATIONS = [CreateSlos1764086400000, CreateAlerts1764090000000];
