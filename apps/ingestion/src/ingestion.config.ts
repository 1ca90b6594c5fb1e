import { readFileSync } from 'node:fs';
import {
  buildWebhookDefinitions,
  parseSecretList,
  parseWebhookSources,
  webhookDefinitions as codedWebhookDefinitions,
} from '@tributary/webhooks';
import type { WebhookDefinition, WebhookSourceConfig } from '@tributary/webhooks';
import { providerShapesConfig, providerShapesEnv } from '@tributary/provider-shapes';
import type { ProviderShapesConfig } from '@tributary/provider-shapes';
import { z } from 'zod';
import {
  ConfigError,
  apiKeysEnv,
  backboneEnv,
  loadConfig,
  parseConfiguredApiKeys,
  positiveInt,
  resolveFiles,
  serviceConfig,
  serviceEnv,
} from '@tributary/service-kit';
import type { ConfiguredApiKey, Env, RateLimit, ServiceConfig } from '@tributary/service-kit';
import { API_KEY_SCOPES } from './api-keys/api-key-scopes.js';

const day = 24 * 3600;

/**
 * Each provider's secrets variable (STRIPE_WEBHOOK_SECRETS, ...), named by its definition. In the schema so
 * that `<NAME>_FILE` works for them as for any variable: secrets belong in files, not in the environment.
 */
const secretsEnvOf = (definitions: Readonly<Record<string, WebhookDefinition>>) =>
  Object.fromEntries(
    Object.values(definitions).map((definition) => [definition.secretsEnv, z.string().optional()]),
  );

/**
 * The one place this app reads the environment: the kit's shared variables plus ingestion's own. A bad or
 * missing value stops the boot with a message naming the variable, before any connection is opened.
 */
const schema = z.object({
  ...serviceEnv({ port: 3200 }),
  ...backboneEnv,
  // Ingestion's default stays 20 (the kit's is 10): every request it takes writes to Postgres, and its
  // benchmark figures were measured with 20.
  DATABASE_POOL_SIZE: positiveInt.max(200).default(20),
  ...apiKeysEnv,
  ...providerShapesEnv,
  PUBLIC_BASE_URL: z.url().optional(),
  EVENT_LOG_RETENTION_DAYS: z.coerce.number().min(7).default(7),
  EVENT_LOG_CLEANUP_INTERVAL_MS: positiveInt.default(3_600_000),
  WEBHOOK_RATE_PER_SECOND: positiveInt.default(1000),
  WEBHOOK_RATE_BURST: positiveInt.default(2000),
  REPLAY_RATE_PER_MINUTE: positiveInt.default(6),
  REPLAY_RATE_BURST: positiveInt.default(3),
  REPLAY_MAX_ENTRIES: positiveInt.max(100_000).default(1000),
  // 0 disables the automatic retry of webhooks that named an object before its reference existed.
  UNRESOLVED_RETRY_INTERVAL_MS: z.coerce.number().int().min(0).default(5000),
  UNRESOLVED_RETRY_WINDOW_MS: positiveInt.default(3_600_000),
  // provider=schema pairs, e.g. easypost=connector_logistics: whose external_refs a provider's webhooks use.
  EXTERNAL_REFS_SCHEMAS: z
    .string()
    .regex(/^([a-z][a-z0-9-]*=[a-z_][a-z0-9_]*)?(,[a-z][a-z0-9-]*=[a-z_][a-z0-9_]*)*$/, {
      message: 'expected provider=schema pairs separated by commas',
    })
    .default(''),
  ...secretsEnvOf(codedWebhookDefinitions),
});

/**
 * What a configured source's secretsEnv may not name. Its variable joins the schema as an optional string,
 * so naming one of ingestion's own (DATABASE_URL) would take that value as an HMAC secret and drop the
 * variable's own validation; the prefixes belong to the runtime and the platform (OTEL_ configures tracing,
 * NODE_OPTIONS the process). The coded providers' variables are refused by buildWebhookDefinitions.
 */
const codedSecretsEnv = new Set(Object.values(codedWebhookDefinitions).map((d) => d.secretsEnv));
const ownEnv = new Set([
  ...Object.keys(schema.shape).filter((name) => !codedSecretsEnv.has(name)),
  'WEBHOOK_SOURCES',
]);
const reservedEnvPrefixes = ['OTEL_', 'NODE_', 'TRIBUTARY_'] as const;

function reservedSecretsEnvProblem(source: WebhookSourceConfig, origin: string): string | undefined {
  const name = source.secretsEnv;
  const label = `${origin}: source "${source.name}" secretsEnv`;
  if (ownEnv.has(name)) return `${label}: ${name} is one of ingestion's own settings`;
  const prefix = reservedEnvPrefixes.find((p) => name.startsWith(p));
  return prefix ? `${label}: ${name} is reserved (${prefix}* variables are not webhook secrets)` : undefined;
}

export type IngestionConfig = ServiceConfig & {
  /**
   * Every webhook definition this instance knows, by provider: the coded ones and the sources declared in
   * WEBHOOK_SOURCES(_FILE). Built once at boot; intake, replay and the metrics read it, never a constant.
   */
  readonly webhookDefinitions: Readonly<Record<string, WebhookDefinition>>;
  /** The URL providers call, when a proxy sits in front (HubSpot signs the full URL). */
  readonly publicBaseUrl: string | undefined;
  readonly eventLog: { readonly retentionSeconds: number; readonly cleanupIntervalMs: number };
  /** Active secrets per provider; a provider without any is refused (fail closed). */
  readonly webhookSecrets: Readonly<Record<string, readonly string[]>>;
  readonly rateLimits: {
    readonly webhookPerProvider: RateLimit;
    readonly apiPerKey: RateLimit;
    readonly replayPerKey: RateLimit;
  };
  readonly replayMaxEntries: number;
  readonly apiKeyCacheTtlMs: number;
  /** Keys listed in API_KEYS (hashed), beside the ones stored in the `api_keys` table. */
  readonly configuredApiKeys: readonly ConfiguredApiKey[];
  /**
   * The schema whose `external_refs` each provider's webhook mappings read and write; ingestion's own when
   * absent. A connector owns its provider's refs (it records them as it calls the provider), so pointing a
   * provider at the connector's schema lets a callback find the ids the connector recorded.
   */
  readonly externalRefsSchemas: Readonly<Record<string, string>>;
  /** How often recent `unresolved` webhooks are mapped again, and for how long after they arrived. */
  readonly unresolvedRetry: { readonly intervalMs: number; readonly windowMs: number };
  /** Sampling of verified webhook payloads' shapes (docs/architecture.md#provider-shapes). */
  readonly providerShapes: ProviderShapesConfig;
};

export function loadIngestionConfig(
  env: Env = process.env,
  readFile?: (path: string) => string,
): IngestionConfig {
  // The sources decide which secrets variables exist, so they are read before the schema is complete.
  const sourceProblems: string[] = [];
  const sourcesText = resolveFiles(
    ['WEBHOOK_SOURCES'],
    env,
    readFile ?? ((path) => readFileSync(path, 'utf8')),
    sourceProblems,
  ).WEBHOOK_SOURCES;
  const origin = env.WEBHOOK_SOURCES_FILE ? 'WEBHOOK_SOURCES_FILE' : 'WEBHOOK_SOURCES';
  const sources = parseWebhookSources(sourcesText, origin);
  const reserved = sources.sources.map((source) => reservedSecretsEnvProblem(source, origin));
  const built = buildWebhookDefinitions(
    codedWebhookDefinitions,
    sources.sources.filter((_, i) => reserved[i] === undefined),
    origin,
  );
  sourceProblems.push(
    ...sources.problems,
    ...reserved.filter((p): p is string => p !== undefined),
    ...built.problems,
  );
  const webhookDefinitions = built.definitions;

  try {
    return load(
      schema.extend(secretsEnvOf(webhookDefinitions)),
      webhookDefinitions,
      sourceProblems,
      env,
      readFile,
    );
  } catch (error) {
    // A schema failure ends before the derived checks run: the sources' problems are listed with it anyway.
    if (!(error instanceof ConfigError) || sourceProblems.every((p) => error.problems.includes(p)))
      throw error;
    throw new ConfigError(error.service, [...sourceProblems, ...error.problems]);
  }
}

function load(
  fullSchema: z.ZodObject,
  webhookDefinitions: Readonly<Record<string, WebhookDefinition>>,
  sourceProblems: readonly string[],
  env: Env,
  readFile: ((path: string) => string) | undefined,
): IngestionConfig {
  return loadConfig(
    // The added keys are optional strings read by name below; the static type keeps the known ones.
    fullSchema as unknown as typeof schema,
    (values, problems) => {
      problems.push(...sourceProblems);
      const retentionSeconds = values.EVENT_LOG_RETENTION_DAYS * day;
      const longestRetry = Math.max(...Object.values(webhookDefinitions).map((d) => d.retryHorizonSeconds));
      if (retentionSeconds < longestRetry) {
        problems.push(`EVENT_LOG_RETENTION_DAYS: shorter than a provider's retries`);
      }
      const configured = parseConfiguredApiKeys(values.API_KEYS, API_KEY_SCOPES);
      problems.push(...configured.problems);
      return {
        ...serviceConfig('ingestion', values),
        publicBaseUrl: values.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
        eventLog: { retentionSeconds, cleanupIntervalMs: values.EVENT_LOG_CLEANUP_INTERVAL_MS },
        webhookDefinitions,
        webhookSecrets: webhookSecrets(webhookDefinitions, values, problems),
        rateLimits: {
          webhookPerProvider: {
            ratePerSecond: values.WEBHOOK_RATE_PER_SECOND,
            burst: values.WEBHOOK_RATE_BURST,
          },
          apiPerKey: { ratePerSecond: values.API_RATE_PER_SECOND, burst: values.API_RATE_BURST },
          replayPerKey: {
            ratePerSecond: values.REPLAY_RATE_PER_MINUTE / 60,
            burst: values.REPLAY_RATE_BURST,
          },
        },
        replayMaxEntries: values.REPLAY_MAX_ENTRIES,
        apiKeyCacheTtlMs: values.API_KEY_CACHE_TTL_MS,
        configuredApiKeys: configured.keys,
        unresolvedRetry: {
          intervalMs: values.UNRESOLVED_RETRY_INTERVAL_MS,
          windowMs: values.UNRESOLVED_RETRY_WINDOW_MS,
        },
        providerShapes: providerShapesConfig(values),
        externalRefsSchemas: Object.fromEntries(
          values.EXTERNAL_REFS_SCHEMAS.split(',')
            .filter(Boolean)
            .map((pair) => pair.split('=') as [string, string]),
        ),
      };
    },
    { service: 'ingestion', env, ...(readFile ? { readFile } : {}) },
  );
}

/**
 * Each provider's secrets, several during a rotation. Decoding each one now turns a truncated or mistyped
 * secret into a boot failure that names the variable, instead of a stream of 401s later.
 */
function webhookSecrets(
  webhookDefinitions: Readonly<Record<string, WebhookDefinition>>,
  values: Readonly<Record<string, unknown>>,
  problems: string[],
): Record<string, readonly string[]> {
  const secrets: Record<string, readonly string[]> = {};
  for (const definition of Object.values(webhookDefinitions)) {
    const list = parseSecretList(values[definition.secretsEnv] as string | undefined);
    const unusable = list.findIndex((secret) => !usable(() => definition.scheme.keyOf(secret)));
    if (unusable >= 0) {
      problems.push(
        `${definition.secretsEnv}: secret #${unusable + 1} is not a ${definition.scheme.name} secret`,
      );
    } else secrets[definition.provider] = list;
  }
  return secrets;
}

function usable(decode: () => unknown): boolean {
  try {
    decode();
    return true;
  } catch {
    return false;
  }
}
