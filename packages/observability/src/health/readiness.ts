/**
 * One dependency the app needs before it can take traffic. Plain functions, so that Postgres, Kafka and the
 * registry are checked through whatever client the app already holds; this package imports none of them.
 */
export interface ReadinessCheck {
  /** Key of the dependency in the health report (`postgres`, `kafka`, `schema_registry`). */
  readonly name: string;
  /**
   * Resolves when the dependency answers (optionally with details for the report), rejects when it does
   * not. `signal` aborts when the check times out; pass it on where the client accepts one.
   */
  readonly check: (signal: AbortSignal) => Promise<Record<string, unknown> | void>;
  /** Default 3000 ms: a probe must answer well inside the orchestrator's probe timeout. */
  readonly timeoutMs?: number;
}

export interface ReadinessCheckOptions {
  name?: string;
  timeoutMs?: number;
}

/** Anything with `query(sql)`: a pg Pool or Client, a TypeORM DataSource or EntityManager. */
export interface SqlQueryable {
  query(sql: string): Promise<unknown>;
}

/** Postgres answers `select 1`. Takes a pool-like object or a function that runs SQL. */
export function postgresReadiness(
  db: SqlQueryable | ((sql: string) => Promise<unknown>),
  options: ReadinessCheckOptions = {},
): ReadinessCheck {
  const run = typeof db === 'function' ? db : (sql: string) => db.query(sql);
  return {
    name: options.name ?? 'postgres',
    timeoutMs: options.timeoutMs,
    check: async () => {
      await run('select 1');
    },
  };
}

/** The subset of kafkajs' `admin.describeCluster()` answer that readiness reads. */
export interface KafkaClusterDescription {
  brokers: readonly unknown[];
  controller?: number | null;
  clusterId?: string;
}

/** Kafka answers a cluster description with at least one broker. */
export function kafkaReadiness(
  describeCluster: () => Promise<KafkaClusterDescription>,
  options: ReadinessCheckOptions = {},
): ReadinessCheck {
  return {
    name: options.name ?? 'kafka',
    timeoutMs: options.timeoutMs,
    check: async () => {
      const cluster = await describeCluster();
      if (cluster.brokers.length === 0) throw new Error('cluster description lists no brokers');
      return {
        brokers: cluster.brokers.length,
        clusterId: cluster.clusterId,
        controller: cluster.controller,
      };
    },
  };
}

export interface SchemaRegistryReadinessOptions extends ReadinessCheckOptions {
  /** Path below the registry URL to GET. Default `/config` (global compatibility: small, Confluent and Apicurio ccompat). */
  path?: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/** The schema registry answers 2xx on `GET <url>/config`. The URL is never reported (it may hold credentials). */
export function schemaRegistryReadiness(
  url: string,
  options: SchemaRegistryReadinessOptions = {},
): ReadinessCheck {
  const doFetch = options.fetch ?? fetch;
  const target = url.replace(/\/+$/, '') + (options.path ?? '/config');
  return {
    name: options.name ?? 'schema_registry',
    timeoutMs: options.timeoutMs,
    check: async (signal) => {
      const response = await doFetch(target, {
        headers: { accept: 'application/vnd.schemaregistry.v1+json, application/json', ...options.headers },
        signal,
      });
      const body = await response.text();
      if (!response.ok) throw new Error(`schema registry answered HTTP ${response.status}`);
      const compatibility = parseCompatibility(body);
      return compatibility ? { compatibility } : {};
    },
  };
}

function parseCompatibility(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { compatibilityLevel?: unknown; compatibility?: unknown };
    const level = parsed.compatibilityLevel ?? parsed.compatibility;
    return typeof level === 'string' ? level : undefined;
  } catch {
    return undefined;
  }
}
