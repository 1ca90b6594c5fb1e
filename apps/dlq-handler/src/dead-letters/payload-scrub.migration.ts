import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention of dead letters (docs/architecture.md#retention): `scrubbed_at` and `scrub_reason` say that and
 * why a closed dead letter's payload was removed. The partial index finds closed rows by the time they
 * closed; pending ones, never removed, stay out of it.
 */
export class AddPayloadScrub1796515200001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const deadLetters = `"${queryRunner.dataSource.driver.schema ?? 'public'}"."dead_letters"`;
    await queryRunner.query(
      `ALTER TABLE ${deadLetters} ADD COLUMN scrubbed_at timestamptz, ADD COLUMN scrub_reason text`,
    );
    await queryRunner.query(
      `CREATE INDEX dead_letters_closed_at ON ${deadLetters} ((GREATEST(resolved_at, discarded_at)))
       WHERE status IN ('resolved', 'discarded')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const deadLetters = `"${queryRunner.dataSource.driver.schema ?? 'public'}"."dead_letters"`;
    await queryRunner.query(
      `DROP INDEX "${queryRunner.dataSource.driver.schema ?? 'public'}".dead_letters_closed_at`,
    );
    await queryRunner.query(`ALTER TABLE ${deadLetters} DROP COLUMN scrubbed_at, DROP COLUMN scrub_reason`);
  }
}
