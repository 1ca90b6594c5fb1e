import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What is known of each provider endpoint (its profile, docs/architecture.md#provider-shapes), every distinct
 * shape seen with a redacted example, and the changes found. An open change is unique by what changed, so
 * replicas and repeated windows add occurrences to one row; once acknowledged, the same change seen again
 * opens a new row.
 */
export class CreateProviderChanges1797206400000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = queryRunner.dataSource.driver.schema ?? 'public';
    const t = (name: string) => `"${schema}"."${name}"`;
    await queryRunner.query(`
      CREATE TABLE ${t('provider_endpoints')} (
        provider       text        NOT NULL,
        surface        text        NOT NULL CHECK (surface IN ('response', 'webhook')),
        endpoint       text        NOT NULL,
        profile        jsonb       NOT NULL,
        declaration    jsonb       NOT NULL DEFAULT '{}',
        samples        bigint      NOT NULL DEFAULT 0,
        first_seen_at  timestamptz NOT NULL,
        last_seen_at   timestamptz NOT NULL,
        PRIMARY KEY (provider, surface, endpoint)
      )`);
    await queryRunner.query(`
      CREATE TABLE ${t('provider_shapes')} (
        provider       text        NOT NULL,
        surface        text        NOT NULL,
        endpoint       text        NOT NULL,
        hash           text        NOT NULL,
        status         integer,
        fields         jsonb       NOT NULL,
        enums          jsonb       NOT NULL,
        example        text        NOT NULL,
        samples        bigint      NOT NULL DEFAULT 0,
        first_seen_at  timestamptz NOT NULL,
        last_seen_at   timestamptz NOT NULL,
        PRIMARY KEY (provider, surface, endpoint, hash)
      )`);
    await queryRunner.query(`
      CREATE TABLE ${t('provider_changes')} (
        id                  uuid        PRIMARY KEY,
        provider            text        NOT NULL,
        surface             text        NOT NULL,
        endpoint            text        NOT NULL,
        status              integer,
        kind                text        NOT NULL CHECK (kind IN ('field_added', 'field_missing', 'type_changed', 'enum_value_added', 'status_added')),
        severity            text        NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
        path                text,
        value               text,
        previous            text,
        used_by             text,
        message             text        NOT NULL,
        shape_hash          text        NOT NULL,
        observer            text        NOT NULL,
        occurrences         integer     NOT NULL DEFAULT 1,
        first_seen_at       timestamptz NOT NULL,
        last_seen_at        timestamptz NOT NULL,
        acknowledged_at     timestamptz,
        acknowledged_by     text,
        acknowledged_reason text
      )`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX provider_changes_open ON ${t('provider_changes')}
        (provider, surface, endpoint, (coalesce(status, -1)), kind, (coalesce(path, '')), (coalesce(value, '')))
        WHERE acknowledged_at IS NULL`);
    await queryRunner.query(
      `CREATE INDEX provider_changes_open_severity ON ${t('provider_changes')} (severity) WHERE acknowledged_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = queryRunner.dataSource.driver.schema ?? 'public';
    for (const table of ['provider_changes', 'provider_shapes', 'provider_endpoints'])
      await queryRunner.query(`DROP TABLE IF EXISTS "${schema}"."${table}"`);
  }
}
