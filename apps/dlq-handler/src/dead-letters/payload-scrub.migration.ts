import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention of dead letters (docs/architecture.md#retention): `scrubbed_at` and `scrub_reason` say that and
 * why a closed dead letter's payload was removed. The partial indexes find closed rows by the time they
 * closed (the delete), and among them the ones still holding their payload (the scrub, which would otherwise
 * walk every row it already scrubbed on each batch); pending ones, never removed, stay out of both.
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
    await queryRunner.query(
      `CREATE INDEX dead_letters_closed_unscrubbed ON ${deadLetters} ((GREATEST(resolved_at, discarded_at)))
       WHERE status IN ('resolved', 'discarded') AND scrubbed_at IS NULL AND NOT discard_signal_pending`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const deadLetters = `"${queryRunner.dataSource.driver.schema ?? 'public'}"."dead_letters"`;
    const schema = `"${queryRunner.dataSource.driver.schema ?? 'public'}"`;
    await queryRunner.query(`DROP INDEX ${schema}.dead_letters_closed_unscrubbed`);
    await queryRunner.query(`DROP INDEX ${schema}.dead_letters_closed_at`);
    await queryRunner.query(`ALTER TABLE ${deadLetters} DROP COLUMN scrubbed_at, DROP COLUMN scrub_reason`);
  }
}
