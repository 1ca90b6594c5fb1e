import type { Logger } from '@tributary/observability';
import type { MigrationInterface } from 'typeorm';
import type { BackboneConfig } from '../config/service-config.js';

export interface BackboneOptions {
  /** Kafka client id, Postgres application_name, log field. */
  readonly service: string;
  readonly config: BackboneConfig;
  readonly logger: Logger;
  /** The service's own migrations, run after the platform's (outbox, inbox, external refs, audit log). */
  readonly migrations?: ReadonlyArray<new () => MigrationInterface>;
  /**
   * Publishes domain events through the outbox (default true): the relay runs, the catalogue topics are
   * ensured and every schema is looked up at start, so the first request neither waits for the registry
   * nor fails on a missing topic. A service that only reads Kafka or re-sends raw records (the DLQ handler)
   * says false.
   */
  readonly publishes?: boolean;
  /**
   * May the encoder register a schema the registry lacks? Default: the config's `schemaAutoRegister`
   * (SCHEMA_AUTO_REGISTER, itself true except in TRIBUTARY_ENV=production). When false, a publishing
   * service's `start()` fails with SCHEMA_NOT_REGISTERED naming every catalogue subject the registry lacks.
   */
  readonly schemaAutoRegister?: boolean;
  /** Longest a graceful shutdown waits for the relay to publish committed rows. Default 5 s. */
  readonly outboxDrainMs?: number;
}
