import type { MigrationInterface, QueryRunner } from 'typeorm';

function table(queryRunner: QueryRunner, name: string): string {
  return `"${queryRunner.dataSource.driver.schema ?? 'public'}"."${name}"`;
}

/**
 * `orders` is this service's own state; `order_ledger` is the effect its consumer applies once per event.
 * The ledger's event id is deliberately not unique: the inbox alone guards against a doubled effect, and
 * the crash tests count ledger rows per event to prove it.
 */
export class CreateOrders1764288000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ${table(queryRunner, 'orders')} (
        order_id      uuid PRIMARY KEY,
        order_number  text NOT NULL UNIQUE,
        customer_id   text NOT NULL,
        total_minor   bigint NOT NULL,
        currency      char(3) NOT NULL,
        status        text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE SEQUENCE ${table(queryRunner, 'order_number_seq')}`);
    await queryRunner.query(`
      CREATE TABLE ${table(queryRunner, 'order_ledger')} (
        id            bigserial PRIMARY KEY,
        event_id      text NOT NULL,
        order_id      uuid NOT NULL,
        event_type    text NOT NULL,
        amount_minor  bigint NOT NULL,
        applied_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX order_ledger_event_id ON ${table(queryRunner, 'order_ledger')} (event_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${table(queryRunner, 'order_ledger')}`);
    await queryRunner.query(`DROP SEQUENCE ${table(queryRunner, 'order_number_seq')}`);
    await queryRunner.query(`DROP TABLE ${table(queryRunner, 'orders')}`);
  }
}
