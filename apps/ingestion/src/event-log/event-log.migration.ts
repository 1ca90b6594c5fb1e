import type { MigrationInterface, QueryRunner } from 'typeorm';

function table(queryRunner: QueryRunner, name: string): string {
  return `"${queryRunner.dataSource.driver.schema ?? 'public'}"."${name}"`;
}

/**
 * `event_log`: one row per provider event (a webhook delivery holds one or more) or internal event. Its
 * unique (provider, dedupe_key) is the deduplication: a redelivery's insert finds the row and does nothing,
 * and a concurrent one waits for the first transaction and then does nothing. Internal events use
 * provider `api` and `<client name>:<Idempotency-Key>` as dedupe key, with the request's hash beside it.
 * `event_log_events` keeps the domain events an entry produced, so they can be shown and replayed.
 * Rows live for the retention (≥ 7 days, longer than any provider retries), then the cleanup deletes them.
 */
export class CreateEventLog1764460800000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const log = table(queryRunner, 'event_log');
    await queryRunner.query(`
      CREATE TABLE ${log} (
        id             uuid        PRIMARY KEY,
        source         text        NOT NULL CHECK (source IN ('webhook', 'api')),
        provider       text        NOT NULL,
        dedupe_key     text        NOT NULL,
        event_type     text        NOT NULL,
        status         text        NOT NULL,
        status_reason  text,
        payload        jsonb       NOT NULL,
        request_hash   text,
        occurred_at    timestamptz,
        received_at    timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        replay_count   integer     NOT NULL DEFAULT 0,
        CONSTRAINT event_log_dedupe_key UNIQUE (provider, dedupe_key)
      ) WITH (autovacuum_vacuum_scale_factor = 0.05)`);
    // Listing newest first (ids are UUIDv7, so id order is arrival order) and filtering by provider.
    await queryRunner.query(`CREATE INDEX event_log_provider_id_idx ON ${log} (provider, id)`);
    await queryRunner.query(`CREATE INDEX event_log_status_id_idx ON ${log} (status, id)`);
    // Retention and time ranges: received_at grows with inserts, so BRIN costs almost nothing.
    await queryRunner.query(`CREATE INDEX event_log_received_at_brin ON ${log} USING brin (received_at)`);
    await queryRunner.query(`
      CREATE TABLE ${table(queryRunner, 'event_log_events')} (
        event_id    uuid        PRIMARY KEY,
        log_id      uuid        NOT NULL REFERENCES ${log} (id) ON DELETE CASCADE,
        event_type  text        NOT NULL,
        topic       text        NOT NULL,
        subject     text        NOT NULL,
        event       jsonb       NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX event_log_events_log_id_idx ON ${table(queryRunner, 'event_log_events')} (log_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${table(queryRunner, 'event_log_events')}`);
    await queryRunner.query(`DROP TABLE ${table(queryRunner, 'event_log')}`);
  }
}
