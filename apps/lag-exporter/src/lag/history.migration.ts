import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The latest-offset history of every partition the exporter watches, as runs (postgres-offset-history.ts).
 * The index on last_seen_at serves the prune that keeps the table to the interpolation window.
 */
export class CreateLagOffsetRuns1796500000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = queryRunner.dataSource.driver.schema ?? 'public';
    await queryRunner.query(`
      CREATE TABLE "${schema}"."lag_offset_runs" (
        topic          text NOT NULL,
        partition      integer NOT NULL,
        "offset"       bigint NOT NULL,
        first_seen_at  timestamptz NOT NULL,
        last_seen_at   timestamptz NOT NULL,
        PRIMARY KEY (topic, partition, "offset")
      )`);
    await queryRunner.query(
      `CREATE INDEX "lag_offset_runs_last_seen_at" ON "${schema}"."lag_offset_runs" (last_seen_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = queryRunner.dataSource.driver.schema ?? 'public';
    await queryRunner.query(`DROP TABLE "${schema}"."lag_offset_runs"`);
  }
}

/** This app's migrations in order (they run after the platform's). */
export const lagExporterMigrations = [CreateLagOffsetRuns1796500000000];
