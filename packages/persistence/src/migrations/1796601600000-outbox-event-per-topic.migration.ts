import type { MigrationInterface, QueryRunner } from 'typeorm';
import { namesOf } from './schema-of.js';

export class OutboxEventPerTopic1796601600000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const { outboxTable } = namesOf(queryRunner);
    // During a deprecation window one event is written twice, to the new major's topic and translated to the
    // old one, under one event id (docs/migrations/README.md): an event is still written once per topic. The
    // new index leads with event_id, so lookups by event id keep an index.
    await queryRunner.query(
      `ALTER TABLE ${outboxTable} ADD CONSTRAINT outbox_event_id_topic_key UNIQUE (event_id, topic)`,
    );
    await queryRunner.query(`ALTER TABLE ${outboxTable} DROP CONSTRAINT outbox_event_id_key`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const { outboxTable } = namesOf(queryRunner);
    await queryRunner.query(
      `ALTER TABLE ${outboxTable} ADD CONSTRAINT outbox_event_id_key UNIQUE (event_id)`,
    );
    await queryRunner.query(`ALTER TABLE ${outboxTable} DROP CONSTRAINT outbox_event_id_topic_key`);
  }
}
