import type { MigrationInterface, QueryRunner } from 'typeorm';
import { namesOf } from './schema-of.js';

export class CreateExternalRefs1764201600002 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const { externalRefsTable } = namesOf(queryRunner);
    // Provider ids map to our stable aggregate ids (docs/architecture.md#topics): Kafka keys never carry a
    // provider's id.
    await queryRunner.query(`
      CREATE TABLE ${externalRefsTable} (
        provider      text        NOT NULL,
        external_type text        NOT NULL,
        external_id   text        NOT NULL,
        internal_id   text        NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT external_refs_pkey PRIMARY KEY (provider, external_type, external_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX external_refs_internal_id_idx ON ${externalRefsTable} (internal_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${namesOf(queryRunner).externalRefsTable}`);
  }
}
