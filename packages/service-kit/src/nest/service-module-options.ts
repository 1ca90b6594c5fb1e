import type { MigrationInterface } from 'typeorm';
import type { FastifyRequest } from 'fastify';
import type { ConfiguredApiKey } from '../api-keys/api-key.js';
import type { ServiceConfig } from '../config/service-config.js';
import type { ProblemCatalogue } from '../problems/problem-catalogue.js';
import type { RateLimit } from '../rate-limit/keyed-rate-limiter.js';
import type { DescribedProblem } from './problems/problem-details.filter.js';

export interface ApiKeysOptions {
  /** Every scope the service's routes ask for. */
  readonly scopes: readonly string[];
  /** Keys from API_KEYS (hashed); for the first operator and secret-manager automation. */
  readonly configured?: readonly ConfiguredApiKey[];
  /** Keep keys in the service's `api_keys` table, issued with `tributary api-keys` (default true). */
  readonly stored?: boolean;
  /** How long a stored key is trusted without a query (a revocation takes effect within it). */
  readonly cacheTtlMs: number;
  /** Per key, in this process. */
  readonly rateLimit: RateLimit;
}

/** The Kafka consumer group of a service whose handlers are `@EventPattern` methods. */
export interface ConsumerOptions {
  readonly group: string;
  /** Catalogue topic names; the deployment's prefix is put in front. */
  readonly topics: readonly string[];
  readonly retryTiers: readonly string[];
  readonly sessionTimeoutMs: number;
  /** Event types on these topics that this group leaves to other services. */
  readonly ignoredEventTypes?: readonly string[];
  /** A new group starts at the oldest retained event (default true: a service deployed late still acts). */
  readonly fromBeginning?: boolean;
  /** Order kept per key through retries and the DLQ (default `key`, dead letters `skip`); see ConsumerConfig. */
  readonly ordering?: 'key' | 'none';
  readonly onDeadLetter?: 'skip' | 'block';
}

export interface ServiceModuleOptions<TConfig extends ServiceConfig = ServiceConfig> {
  readonly config: TConfig;
  /** The service's own migrations (the API-key table is added when API keys are stored). */
  readonly migrations?: ReadonlyArray<new () => MigrationInterface>;
  /** See BackboneOptions.publishes (default true). */
  readonly publishes?: boolean;
  /** The service's problem catalogue (defineProblems). */
  readonly problems: ProblemCatalogue;
  /** Called for every problem answer: metrics a service keeps about refusals. Must not throw. */
  readonly onProblem?: (problem: DescribedProblem, request: FastifyRequest, error: unknown) => void;
  readonly apiKeys?: ApiKeysOptions;
  /** The service's OpenAPI document, served at /docs/openapi.json. */
  readonly openApi?: () => Record<string, unknown>;
  /** Also serve `GET /docs`, a page listing the document's operations (default false; needs `openApi`). */
  readonly docsPage?: boolean;
  readonly consumer?: ConsumerOptions;
}
