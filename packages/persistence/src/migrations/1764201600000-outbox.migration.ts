import type { MigrationInterface, QueryRunner } from 'typeorm';
import { namesOf } from './schema-of.js';

export class CreateOutbox1764201600000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const { outboxTable } = namesOf(queryRunner);
    // id is the global publish order. value holds the encoded Kafka record (Confluent wire format), so the
    // relay is a byte pipe and never needs the schema registry.
    // The table is a queue: rows are inserted, updated once and deleted after the retention, so autovacuum
    // runs early to keep the partial index free of dead entries the relay would otherwise walk over.
    await queryRunner.query(`
      CREATE TABLE ${outboxTable} (
        id            bigserial PRIMARY KEY,
        topic         text        NOT NULL,
        key           text        NOT NULL,
        value         bytea       NOT NULL,
        headers       jsonb       NOT NULL DEFAULT '{}'::jsonb,
        event_id      uuid        NOT NULL CONSTRAINT outbox_event_id_key UNIQUE,
        aggregate_id  text        NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        published_at  timestamptz
      ) WITH (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02)`);
    // The relay reads only unpublished rows in id order; this index stays as small as the backlog.
    await queryRunner.query(
      `CREATE INDEX outbox_unpublished_idx ON ${outboxTable} (id) WHERE published_at IS NULL`,
    );
    // Retention cleanup finds old rows by creation time; a BRIN index costs almost nothing on inserts because
    // created_at grows with id.
    await queryRunner.query(`CREATE INDEX outbox_created_at_brin ON ${outboxTable} USING brin (created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${namesOf(queryRunner).outboxTable}`);
  }
}
