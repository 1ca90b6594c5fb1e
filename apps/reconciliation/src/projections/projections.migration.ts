import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the platform believes about each entity, from its events: the owned fields as last stated, their
 * hash, the hash both sides last agreed on, and the rank that keeps late events from moving it back.
 */
export class CreateProjections1765152000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = queryRunner.dataSource.driver.schema ?? 'public';
    await queryRunner.query(`
      CREATE TABLE "${schema}"."projections" (
        entity          text        NOT NULL,
        entity_id       text        NOT NULL,
        fields          jsonb       NOT NULL,
        fields_hash     text        NOT NULL,
        rank            double precision NOT NULL,
        external_id     text,
        deleted         boolean     NOT NULL DEFAULT false,
        last_event_id   text        NOT NULL,
        last_event_type text        NOT NULL,
        last_event_at   timestamptz NOT NULL,
        agreed_hash     text,
        agreed_at       timestamptz,
        PRIMARY KEY (entity, entity_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX projections_external ON "${schema}"."projections" (entity, external_id) WHERE external_id IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = queryRunner.dataSource.driver.schema ?? 'public';
    await queryRunner.query(`DROP TABLE "${schema}"."projections"`);
  }
}
