import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Claims with a lease, so that several replicas send replays and discard signals without sending one twice
 * (docs/architecture.md#retries-and-dead-letters). `claimed_by`: the process (a random id per process) that
 * is sending the row; `claim_expires_at`: until when, by the database clock. A replica renews its claims while
 * a send is slow; a claim that expired belongs to a process that died, and only then is the row in doubt.
 * Rows an older version left marked sending become claims that already expired, so the next replica to look
 * settles them from their tier as before.
 */
export class AddReplayClaims1765929600000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = queryRunner.dataSource.driver.schema ?? 'public';
    const deadLetters = `"${schema}"."dead_letters"`;
    await queryRunner.query(
      `ALTER TABLE ${deadLetters} ADD COLUMN claimed_by text, ADD COLUMN claim_expires_at timestamptz`,
    );
    await queryRunner.query(
      `UPDATE ${deadLetters} SET claimed_by = 'before-claims', claim_expires_at = replay_sending_since
       WHERE replay_pending AND replay_sending_since IS NOT NULL`,
    );
    // The in-doubt sweep of every replica looks only at claimed rows of the queue.
    await queryRunner.query(
      `CREATE INDEX dead_letters_claims ON ${deadLetters} (claim_expires_at) WHERE claimed_by IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = queryRunner.dataSource.driver.schema ?? 'public';
    await queryRunner.query(`DROP INDEX "${schema}"."dead_letters_claims"`);
    await queryRunner.query(
      `ALTER TABLE "${schema}"."dead_letters" DROP COLUMN claimed_by, DROP COLUMN claim_expires_at`,
    );
  }
}
