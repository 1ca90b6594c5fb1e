import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the platform decided for the fields it writes onto an owner's object (`platformOwned` in the
 * reconciliation map), kept from its own events: compared with the owner, written back where they differ.
 */
export class CreatePlatformOwned1765152000002 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = queryRunner.dataSource.driver.schema ?? 'public';
    await queryRunner.query(`
      CREATE TABLE "${schema}"."platform_owned" (
        entity        text        NOT NULL,
        entity_id     text        NOT NULL,
        fields        jsonb       NOT NULL,
        stated_at     timestamptz NOT NULL,
        recorded_at   timestamptz NOT NULL,
        last_event_id text        NOT NULL,
        PRIMARY KEY (entity, entity_id)
      )`);
    // A payment's order id left the fields the owner controls: its old agreed hashes would make every
    // payment look moved on both sides (a conflict). Forgotten, each payment is judged afresh once.
    await queryRunner.query(
      `UPDATE "${schema}"."projections" SET agreed_hash = NULL, agreed_at = NULL WHERE entity = 'payment'`,
    );
    // A write-back and an owner-wins repair may judge the same owner version: each is once per event type.
    await queryRunner.query(`
      ALTER TABLE "${schema}"."repairs"
        DROP CONSTRAINT repairs_pkey,
        ADD PRIMARY KEY (entity, entity_id, owner_version, event_type)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = queryRunner.dataSource.driver.schema ?? 'public';
    await queryRunner.query(`
      ALTER TABLE "${schema}"."repairs"
        DROP CONSTRAINT repairs_pkey,
        ADD PRIMARY KEY (entity, entity_id, owner_version)`);
    await queryRunner.query(`DROP TABLE "${schema}"."platform_owned"`);
  }
}
