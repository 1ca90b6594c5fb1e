import type { MigrationInterface, QueryRunner } from 'typeorm';
import { namesOf } from './schema-of.js';

export class CreateAuditLog1764201600003 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const { auditLogTable } = namesOf(queryRunner);
    // Who (actor), when (at), why (reason), what (action on target, details): every manual action
    // (docs/architecture.md#retries-and-dead-letters).
    await queryRunner.query(`
      CREATE TABLE ${auditLogTable} (
        id      bigserial   PRIMARY KEY,
        actor   text        NOT NULL,
        action  text        NOT NULL,
        reason  text        NOT NULL,
        target  text        NOT NULL,
        details jsonb       NOT NULL DEFAULT '{}'::jsonb,
        at      timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX audit_log_target_at_idx ON ${auditLogTable} (target, at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${namesOf(queryRunner).auditLogTable}`);
  }
}
