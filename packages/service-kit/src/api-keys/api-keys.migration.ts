import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `api_keys` table, in the service's own schema (each service keeps its own keys). Tokens are stored as
 * sha256 (see api-key.ts). A rotated key points at its successor and keeps working until its
 * `expires_at`, so clients switch without downtime. The class name is the one ingestion first shipped it
 * under: TypeORM knows applied migrations by name, so existing databases do not run it again.
 */
export class CreateApiKeys1764460800001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = queryRunner.dataSource.driver.schema ?? 'public';
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS "${schema}"."api_keys" (
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

/** Every migration the API-key store needs, in order; a service lists them with its own. */
export const apiKeyMigrations = [CreateApiKeys1764460800001] as const;
