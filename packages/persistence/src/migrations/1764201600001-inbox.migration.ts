import type { MigrationInterface, QueryRunner } from 'typeorm';
import { namesOf } from './schema-of.js';

export class CreateInbox1764201600001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const { inboxTable } = namesOf(queryRunner);
    // event_id is text, not uuid: a consumer of a foreign topic may have to key on another stable identity.
    // The primary key is what makes a concurrent second delivery wait for the first one's transaction.
    await queryRunner.query(`
      CREATE TABLE ${inboxTable} (
        consumer_group text        NOT NULL,
        event_id       text        NOT NULL,
        processed_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inbox_pkey PRIMARY KEY (consumer_group, event_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX inbox_processed_at_brin ON ${inboxTable} USING brin (processed_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${namesOf(queryRunner).inboxTable}`);
  }
}
