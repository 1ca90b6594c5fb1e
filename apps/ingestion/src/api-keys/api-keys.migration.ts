import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys of the internal API, stored as sha256 of the token (see api-key.ts). `tributary api-keys
 * create|rotate|revoke|list` (packages/cli) writes this table; the app only reads it. A rotated key points
 * at its successor and keeps working until its `expires_at`, so clients switch without downtime.
 */
export class CreateApiKeys1764460800001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = queryRunner.dataSource.driver.schema ?? 'public';
    await queryRunner.query(`
      CREATE TABLE "${schema}"."api_keys" (
        key_id      text        PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{16}$'),
        name        text        NOT NULL,
        token_hash  text        NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        scopes      text[]      NOT NULL,
        created_by  text        NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz,
        revoked_at  timestamptz,
        replaced_by text
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = queryRunner.dataSource.driver.schema ?? 'public';
    await queryRunner.query(`DROP TABLE "${schema}"."api_keys"`);
  }
}
