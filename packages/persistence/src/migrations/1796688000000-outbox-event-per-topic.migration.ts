import type { MigrationInterface, QueryRunner } from 'typeorm';
import { namesOf } from './schema-of.js';

/**
 * One outbox row per (event, topic). The unique index is built under the table's lock, so writers wait for
 * it: the outbox holds unpublished rows and published ones until the relay's cleanup, so the build is short
 * on a healthy outbox; one with a large backlog is best drained before the upgrade.
 */
export class OutboxEventPerTopic1796688000000 implements MigrationInterface {
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
