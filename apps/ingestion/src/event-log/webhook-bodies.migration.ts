import type { MigrationInterface, QueryRunner } from 'typeorm';

function table(queryRunner: QueryRunner, name: string): string {
  return `"${queryRunner.dataSource.driver.schema ?? 'public'}"."${name}"`;
}

/**
 * `webhook_bodies`: the exact bytes of every accepted webhook delivery, keyed by their SHA-256, so replay and
 * audit show what the provider signed (`event_log.payload` is jsonb: keys reordered, whitespace dropped).
 * Content-addressed, so the entries of one batched delivery (HubSpot sends up to 100 events per request)
 * share one copy, and a stored body proves itself against its key. `received_at` is the last delivery that
 * referenced it: the retention deletes a body no earlier than the entries pointing to it.
 */
export class AddWebhookBodies1796601600000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const bodies = table(queryRunner, 'webhook_bodies');
    await queryRunner.query(`
      CREATE TABLE ${bodies} (
        sha256       bytea       PRIMARY KEY CHECK (length(sha256) = 32),
        body         bytea       NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX webhook_bodies_received_at_idx ON ${bodies} (received_at)`);
    await queryRunner.query(`ALTER TABLE ${table(queryRunner, 'event_log')} ADD COLUMN body_sha256 bytea`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${table(queryRunner, 'event_log')} DROP COLUMN body_sha256`);
    await queryRunner.query(`DROP TABLE ${table(queryRunner, 'webhook_bodies')}`);
  }
}
