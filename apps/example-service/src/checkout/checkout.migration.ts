import type { MigrationInterface, QueryRunner } from 'typeorm';

function table(queryRunner: QueryRunner, name: string): string {
  return `"${queryRunner.dataSource.driver.schema ?? 'public'}"."${name}"`;
}

/** What the checkout needs to remember about an order between the events that move it on. */
export class AddCheckout1764979200000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const orders = table(queryRunner, 'orders');
    await queryRunner.query(`
      ALTER TABLE ${orders}
        ADD COLUMN payment_id  uuid UNIQUE,
        ADD COLUMN shipment_id uuid UNIQUE,
        ADD COLUMN ship_to     jsonb,
        ADD COLUMN lines       jsonb NOT NULL DEFAULT '[]'::jsonb,
        ADD COLUMN updated_at  timestamptz NOT NULL DEFAULT now()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const orders = table(queryRunner, 'orders');
    await queryRunner.query(`
      ALTER TABLE ${orders}
        DROP COLUMN payment_id, DROP COLUMN shipment_id, DROP COLUMN ship_to, DROP COLUMN lines,
        DROP COLUMN updated_at`);
  }
}
