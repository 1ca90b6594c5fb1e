import type { MigrationInterface, QueryRunner } from 'typeorm';

function table(queryRunner: QueryRunner, name: string): string {
  return `"${queryRunner.dataSource.driver.schema ?? 'public'}"."${name}"`;
}

/**
 * One row per failed record of a consumer group, keyed by where the record first failed: a redelivered DLQ
 * record and a replayed record that fails again both find the same row. `dlq_positions` lists every DLQ
 * (partition:offset) already applied to the row, which tells a redelivery (no change) from a new failure
 * (attempts go up). `replay_pending` marks rows accepted for replay and not yet sent; `replay_sending_since`
 * is set just before a send, so after a crash the rows whose send may or may not have landed are known.
 */
export class CreateDeadLetters1764300000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const deadLetters = table(queryRunner, 'dead_letters');
    await queryRunner.query(`
      CREATE TABLE ${deadLetters} (
        id                   uuid PRIMARY KEY,
        consumer_group       text NOT NULL,
        original_topic       text NOT NULL,
        original_partition   integer NOT NULL,
        original_offset      bigint NOT NULL,
        original_timestamp   timestamptz,
        dlq_topic            text NOT NULL,
        dlq_partition        integer NOT NULL,
        dlq_offset           bigint NOT NULL,
        dlq_positions        text[] NOT NULL,
        event_id             text,
        event_type           text,
        error_code           text NOT NULL,
        error_class          text,
        error_message        text,
        error_stack          text,
        attempts             integer NOT NULL,
        dead_lettered_count  integer NOT NULL DEFAULT 1,
        first_failed_at      timestamptz NOT NULL,
        last_failed_at       timestamptz NOT NULL,
        raw_key              bytea,
        raw_value            bytea,
        headers              jsonb NOT NULL,
        value_format         text NOT NULL CHECK (value_format IN ('avro', 'json', 'none')),
        schema_id            integer,
        decoded_value        jsonb,
        decode_error         text,
        status               text NOT NULL CHECK (status IN ('pending', 'replaying', 'resolved', 'discarded')),
        status_reason        text,
        replay_pending       boolean NOT NULL DEFAULT false,
        replay_sending_since timestamptz,
        replay_count         integer NOT NULL DEFAULT 0,
        replay_requested_at  timestamptz,
        replay_requested_by  text,
        replayed_at          timestamptz,
        resolved_at          timestamptz,
        discarded_at         timestamptz,
        discarded_by         text,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT dead_letters_origin UNIQUE (consumer_group, original_topic, original_partition, original_offset)
      )`);
    await queryRunner.query(`CREATE INDEX dead_letters_status ON ${deadLetters} (status, consumer_group)`);
    await queryRunner.query(`CREATE INDEX dead_letters_error_code ON ${deadLetters} (error_code)`);
    await queryRunner.query(`CREATE INDEX dead_letters_last_failed ON ${deadLetters} (last_failed_at)`);
    await queryRunner.query(`CREATE INDEX dead_letters_event ON ${deadLetters} (consumer_group, event_id)`);
    await queryRunner.query(
      `CREATE INDEX dead_letters_replay_queue ON ${deadLetters} (replay_requested_at, id) WHERE replay_pending`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${table(queryRunner, 'dead_letters')}`);
  }
}
