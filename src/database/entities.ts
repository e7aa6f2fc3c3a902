import { SloEntity } from '../slo/slo.entity.js';

/** Every TypeORM entity, listed once for the data source and for the schema-drift test. */
export const ALL_ENTITIES = [SloEntity];
