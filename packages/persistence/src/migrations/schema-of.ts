import type { QueryRunner } from 'typeorm';
import { namesFor, type OutboxNames } from '../names.js';

/** Migrations create their tables in the DataSource's schema (the `schema` option, else the search path's
 * first entry), so one migration set serves every service and every isolated test schema. */
export function namesOf(queryRunner: QueryRunner): OutboxNames {
  return namesFor(queryRunner.dataSource.driver.schema ?? 'public');
}
