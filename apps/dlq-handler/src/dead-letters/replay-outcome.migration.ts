import type { MigrationInterface, QueryRunner } from 'typeorm';

function table(queryRunner: QueryRunner, name: string): string {
  return `"${queryRunner.dataSource.driver.schema ?? 'public'}"."${name}"`;
}

/**
 * Replays that say where they go and what became of them. `replay_topic`: the exact tier a replay is sent to
 * (from the DLQ record's `tributary-replay-topic`, else fixed when the replay is requested), never guessed
 * again at send time. `replay_error_*`: why the last replay could not be sent. `replay_stalled_at` and the
 * `replay_stalled` status: a sent replay that neither resolved nor came back to the DLQ within the bound.
 */
export class AddReplayOutcome1765065600000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const deadLetters = table(queryRunner, 'dead_letters');
    await queryRunner.query(`
      ALTER TABLE ${deadLetters}
        DROP CONSTRAINT dead_letters_status_check,
        ADD CONSTRAINT dead_letters_status_check
          CHECK (status IN ('pending', 'replaying', 'replay_stalled', 'resolved', 'discarded')),
        ADD COLUMN replay_topic         text,
        ADD COLUMN replay_stalled_at    timestamptz,
        ADD COLUMN replay_error_code    text,
        ADD COLUMN replay_error_message text,
        ADD COLUMN replay_error_at      timestamptz`);
    // The stall sweep looks only at sent replays still waiting for their outcome.
    await queryRunner.query(
      `CREATE INDEX dead_letters_replay_outcome ON ${deadLetters} (replayed_at)
       WHERE status = 'replaying' AND NOT replay_pending`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const deadLetters = table(queryRunner, 'dead_letters');
    await queryRunner.query(`DROP INDEX ${table(queryRunner, 'dead_letters_replay_outcome')}`);
    await queryRunner.query(`UPDATE ${deadLetters} SET status = 'replaying' WHERE status = 'replay_stalled'`);
    await queryRunner.query(`
      ALTER TABLE ${deadLetters}
        DROP CONSTRAINT dead_letters_status_check,
        ADD CONSTRAINT dead_letters_status_check
          CHECK (status IN ('pending', 'replaying', 'resolved', 'discarded')),
        DROP COLUMN replay_topic,
        DROP COLUMN replay_stalled_at,
        DROP COLUMN replay_error_code,
        DROP COLUMN replay_error_message,
        DROP COLUMN replay_error_at`);
  }
}
