import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A discarded dead letter tells its group's consumer, so that a key parked behind it under the `block`
 * ordering policy moves on (docs/architecture.md#ordering-and-concurrency). `discard_signal_pending`: the
 * signal is owed; rows discarded before this migration owe none.
 */
export class AddDiscardSignal1765324800001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const deadLetters = `"${queryRunner.dataSource.driver.schema ?? 'public'}"."dead_letters"`;
    await queryRunner.query(
      `ALTER TABLE ${deadLetters} ADD COLUMN discard_signal_pending boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(
      `CREATE INDEX dead_letters_discard_signal ON ${deadLetters} (discarded_at) WHERE discard_signal_pending`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const deadLetters = `"${queryRunner.dataSource.driver.schema ?? 'public'}"."dead_letters"`;
    await queryRunner.query(`ALTER TABLE ${deadLetters} DROP COLUMN discard_signal_pending`);
  }
}
