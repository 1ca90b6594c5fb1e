import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runs (the audit trail of each walk and its counts), their checkpoints (cursor after every page), the
 * objects a full walk saw (what it did not see may be gone at the owner), findings (every decision, with
 * both copies) and repairs (one per entity, id and owner version: what makes a repair idempotent).
 */
export class CreateRuns1765152000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = queryRunner.dataSource.driver.schema ?? 'public';
    const t = (name: string) => `"${schema}"."${name}"`;
    await queryRunner.query(`
      CREATE TABLE ${t('runs')} (
        id               uuid        PRIMARY KEY,
        entity           text        NOT NULL,
        provider         text        NOT NULL,
        trigger          text        NOT NULL CHECK (trigger IN ('schedule', 'api')),
        mode             text        NOT NULL CHECK (mode IN ('incremental', 'full', 'ids')),
        dry_run          boolean     NOT NULL,
        window_from      timestamptz,
        window_to        timestamptz,
        ids              text[]      NOT NULL DEFAULT '{}',
        status           text        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'guardrail_tripped', 'cancelled')),
        requested_by     text        NOT NULL,
        page_no          integer     NOT NULL DEFAULT 1,
        cursor           text,
        page_attempts    integer     NOT NULL DEFAULT 0,
        page_throttles   integer     NOT NULL DEFAULT 0,
        next_request_at  timestamptz,
        requested_at     timestamptz,
        pages            integer     NOT NULL DEFAULT 0,
        compared         integer     NOT NULL DEFAULT 0,
        mismatches       integer     NOT NULL DEFAULT 0,
        deferred         integer     NOT NULL DEFAULT 0,
        unverifiable     integer     NOT NULL DEFAULT 0,
        repairs_emitted  integer     NOT NULL DEFAULT 0,
        repairs_dry_run  integer     NOT NULL DEFAULT 0,
        repairs_suppressed integer   NOT NULL DEFAULT 0,
        error            text,
        started_at       timestamptz NOT NULL DEFAULT now(),
        finished_at      timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX runs_entity_started ON ${t('runs')} (entity, started_at DESC)`);
    await queryRunner.query(
      `CREATE INDEX runs_running ON ${t('runs')} (next_request_at) WHERE status = 'running'`,
    );
    // One running run per entity: a second start is refused, whichever replica tries.
    await queryRunner.query(
      `CREATE UNIQUE INDEX runs_one_running ON ${t('runs')} (entity) WHERE status = 'running'`,
    );
    await queryRunner.query(`
      CREATE TABLE ${t('watermarks')} (
        entity       text        PRIMARY KEY,
        watermark    timestamptz NOT NULL,
        last_full_at timestamptz,
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ${t('run_seen')} (
        run_id    uuid NOT NULL REFERENCES ${t('runs')} (id) ON DELETE CASCADE,
        entity_id text NOT NULL,
        PRIMARY KEY (run_id, entity_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE ${t('findings')} (
        id               uuid        PRIMARY KEY,
        entity           text        NOT NULL,
        entity_id        text        NOT NULL,
        class            text        NOT NULL,
        status           text        NOT NULL CHECK (status IN ('open', 'resolved', 'dismissed')),
        decision         text        NOT NULL,
        diffs            jsonb       NOT NULL,
        local            jsonb,
        owner            jsonb,
        external_id      text,
        owner_version    timestamptz,
        repair_event_id  uuid,
        first_run_id     uuid        NOT NULL,
        last_run_id      uuid        NOT NULL,
        seen_count       integer     NOT NULL DEFAULT 1,
        first_seen_at    timestamptz NOT NULL DEFAULT now(),
        last_seen_at     timestamptz NOT NULL DEFAULT now(),
        decided_by       text,
        decided_reason   text
      )`);
    // One open finding per object and class: a run that sees it again counts it.
    await queryRunner.query(
      `CREATE UNIQUE INDEX findings_open ON ${t('findings')} (entity, entity_id, class) WHERE status = 'open'`,
    );
    await queryRunner.query(`CREATE INDEX findings_listing ON ${t('findings')} (entity, status, id DESC)`);
    await queryRunner.query(`
      CREATE TABLE ${t('repairs')} (
        entity        text        NOT NULL,
        entity_id     text        NOT NULL,
        owner_version timestamptz NOT NULL,
        event_id      uuid        NOT NULL,
        event_type    text        NOT NULL,
        finding_id    uuid        NOT NULL,
        run_id        uuid,
        at            timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (entity, entity_id, owner_version)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = queryRunner.dataSource.driver.schema ?? 'public';
    for (const table of ['repairs', 'findings', 'run_seen', 'watermarks', 'runs']) {
      await queryRunner.query(`DROP TABLE "${schema}"."${table}"`);
    }
  }
}
