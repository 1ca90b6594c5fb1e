import type { MigrationInterface, QueryRunner } from 'typeorm';
import { namesOf } from './schema-of.js';

/** Per-key order through retries (docs/architecture.md#ordering-and-concurrency): heads and what waits behind them. */
export class CreateKeyParking1765324800000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const { parkedKeysTable, parkedRecordsTable } = namesOf(queryRunner);
    // One row per key whose head is in a retry tier or dead-lettered under `block`, or whose parked records
    // are being released. Its row lock orders a park against the release's last look.
    await queryRunner.query(`
      CREATE TABLE ${parkedKeysTable} (
        consumer_group text        NOT NULL,
        record_key     bytea       NOT NULL,
        state          text        NOT NULL CHECK (state IN ('retrying', 'dead_lettered', 'releasing')),
        head_topic     text        NOT NULL,
        head_partition integer     NOT NULL,
        head_offset    bigint      NOT NULL,
        parked_since   timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT parked_keys_pkey PRIMARY KEY (consumer_group, record_key)
      )`);
    await queryRunner.query(
      `CREATE INDEX parked_keys_releasing ON ${parkedKeysTable} (consumer_group, updated_at) WHERE state = 'releasing'`,
    );
    // The records as read (bytes and headers), in the order they were parked; one row per source record, so
    // a record read again after a crash is not parked twice.
    await queryRunner.query(`
      CREATE TABLE ${parkedRecordsTable} (
        consumer_group   text        NOT NULL,
        record_key       bytea       NOT NULL,
        seq              bigint      GENERATED ALWAYS AS IDENTITY,
        source_topic     text        NOT NULL,
        source_partition integer     NOT NULL,
        source_offset    bigint      NOT NULL,
        value            bytea,
        headers          jsonb       NOT NULL,
        record_timestamp text        NOT NULL,
        parked_at        timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT parked_records_pkey PRIMARY KEY (consumer_group, record_key, seq),
        CONSTRAINT parked_records_source_key UNIQUE (consumer_group, source_topic, source_partition, source_offset)
      )`);
    await queryRunner.query(
      `CREATE INDEX parked_records_parked_at ON ${parkedRecordsTable} (consumer_group, parked_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const { parkedKeysTable, parkedRecordsTable } = namesOf(queryRunner);
    await queryRunner.query(`DROP TABLE ${parkedRecordsTable}`);
    await queryRunner.query(`DROP TABLE ${parkedKeysTable}`);
  }
}
