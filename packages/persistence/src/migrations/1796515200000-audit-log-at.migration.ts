import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteIdent } from '../names.js';
import { namesOf } from './schema-of.js';

export class AuditLogAtIndex1796515200000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    // Retention picks entries by age alone (docs/architecture.md#retention); rows are appended in time order,
    // so a BRIN index finds the old ones without a scan and costs next to nothing on insert.
    await queryRunner.query(
      `CREATE INDEX audit_log_at_brin ON ${namesOf(queryRunner).auditLogTable} USING brin (at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ${quoteIdent(namesOf(queryRunner).schema)}.audit_log_at_brin`);
  }
}
