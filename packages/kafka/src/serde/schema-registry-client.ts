import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { TributaryError } from '@tributary/contracts';
import type { AvroRecordSchema } from '@tributary/contracts';
import { metrics } from '@tributary/observability';
import avro from 'avsc';
import type { Type } from 'avsc';
import { KafkaErrorCodes } from '../error-codes.js';
import { SharedLoadCache } from './schema-cache.js';

/**
 * TopicRecordNameStrategy (docs/architecture.md#topics): one subject per (topic, record), so several event
 * types share a topic.
 */
export function topicRecordSubject(topic: string, recordFullName: string): string {
  return `${topic}-${recordFullName}`;
}

export function recordFullName(schema: AvroRecordSchema): string {
  return schema.namespace && !schema.name.includes('.') ? `${schema.namespace}.${schema.name}` : schema.name;
}

export interface SchemaRegistryClientOptions {
  /** Base URL of a Confluent-compatible API, e.g. `http://host:8081` or Apicurio's `.../apis/ccompat/v7`. */
  url: string;
  auth?: { username: string; password: string };
  /** Per request; a hung registry must not hold a partition. */
  requestTimeoutMs?: number;
  /** Writer schemas kept by id; the least recently used beyond this are dropped. */
  maxCachedSchemas?: number;
  /** Set on subjects this client creates. Event subjects are BACKWARD_TRANSITIVE. */
  compatibility?: COMPATIBILITY;
  /** Instead of building one from the options above (tests count requests through their own). */
  registry?: SchemaRegistry;
}

/**
 * The platform's view of the schema registry, over @kafkajs/confluent-schema-registry:
 * - writer schemas by id through one bounded LRU that shares in-flight lookups (the library's own cache is
 *   unbounded, so each entry is dropped from it once ours holds it);
 * - subject ids looked up first and registered only when missing, because the library's `register` first
 *   compares the subject's compatibility level with ours and throws on any difference (Apicurio answers the
 *   global level for subjects without their own), which would refuse schemas registered by CI;
 * - every failure mapped to a TributaryError, telling "the registry is down" (retriable) from "the registry
 *   said no" (not retriable). The library reports network errors as HTTP status 400 (a mappersmith quirk) and
 *   keeps no response body, so only a 404 counts as a definitive "unknown schema"; anything else but the
 *   refusal statuses of registration (409, 422) is treated as unavailability.
 */
export class SchemaRegistryClient {
  readonly registry: SchemaRegistry;
  private readonly byId: SharedLoadCache<number, Type>;
  private readonly idBySubjectSchema: SharedLoadCache<string, number>;
  private readonly compatibility: COMPATIBILITY;

  constructor(options: SchemaRegistryClientOptions) {
    const timeout = options.requestTimeoutMs ?? 5_000;
    this.registry =
      options.registry ??
      new SchemaRegistry({
        host: options.url.replace(/\/+$/, ''),
        clientId: 'tributary',
        ...(options.auth ? { auth: options.auth } : {}),
        // Retries belong to the consumer's policy, which can heartbeat and give up in time; one quick retry
        // here only smooths over a registry restart.
        retry: { retries: 1, initialRetryTimeInSecs: 0.1, maxRetryTimeInSecs: 1 },
        middlewares: [
          () => ({
            async prepareRequest(next) {
              const request = await next();
              return request.timeout() ? request : request.enhance({ timeout });
            },
          }),
        ],
      });
    this.byId = new SharedLoadCache(options.maxCachedSchemas ?? 1_000, (result) =>
      metrics.schemaCacheLookups.inc({ result }),
    );
    this.idBySubjectSchema = new SharedLoadCache(10_000);
    this.compatibility = options.compatibility ?? COMPATIBILITY.BACKWARD_TRANSITIVE;
  }

  /** The writer schema of a record. Throws DECODE_UNKNOWN_SCHEMA (final) or SCHEMA_REGISTRY_UNAVAILABLE. */
  schemaById(id: number): Promise<Type> {
    return this.byId.get(id, (key) => this.fetchSchema(key));
  }

  /**
   * The id of `schema` under `subject`, registering it when `register` is true and the registry does not have
   * it yet (the registry's compatibility rule still decides). Cached per (subject, schema text).
   */
  idFor(subject: string, schema: AvroRecordSchema, options: { register: boolean }): Promise<number> {
    const text = JSON.stringify(schema);
    return this.idBySubjectSchema.get(`${subject}\n${text}`, () =>
      this.lookupOrRegister(subject, text, options),
    );
  }

  /**
   * The subjects among `entries` that do not hold their schema, looked up without registering anything: the
   * boot check of a process that must not register (production). Throws SCHEMA_REGISTRY_UNAVAILABLE when the
   * registry cannot answer, so "missing" is never a guess.
   */
  async unregisteredSubjects(
    entries: Iterable<{ readonly subject: string; readonly schema: AvroRecordSchema }>,
  ): Promise<string[]> {
    const found = await Promise.all(
      [...entries].map(({ subject, schema }) =>
        this.idFor(subject, schema, { register: false }).then(
          () => undefined,
          (error: unknown) => {
            if ((error as TributaryError).code === KafkaErrorCodes.SCHEMA_NOT_REGISTERED) return subject;
            throw error;
          },
        ),
      ),
    );
    return found.filter((subject): subject is string => subject !== undefined);
  }

  private async fetchSchema(id: number): Promise<Type> {
    let schema: unknown;
    try {
      schema = await this.registry.getSchema(id);
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new TributaryError(
          KafkaErrorCodes.DECODE_UNKNOWN_SCHEMA,
          `schema id ${id} is not in the registry`,
          {
            cause: error,
          },
        );
      }
      throw unavailable(`fetching schema id ${id}`, error);
    } finally {
      // Ours is the bounded cache; the library's would grow with every id ever seen.
      delete this.registry.cache.schemasByRegistryId[id];
    }
    if (!avro.Type.isType(schema)) {
      throw new TributaryError(
        KafkaErrorCodes.DECODE_UNKNOWN_SCHEMA,
        `schema id ${id} is not an Avro schema`,
      );
    }
    return schema as Type;
  }

  private async lookupOrRegister(
    subject: string,
    text: string,
    options: { register: boolean },
  ): Promise<number> {
    try {
      return await this.registry.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: text });
    } catch (error) {
      // The library rethrows a lookup 404 as a bare ConfluentSchemaRegistryError, without the status.
      const notFound =
        statusOf(error) === 404 || (error as Error | undefined)?.name === 'ConfluentSchemaRegistryError';
      if (!notFound) throw unavailable(`looking up subject ${subject}`, error);
      if (!options.register) {
        throw new TributaryError(
          KafkaErrorCodes.SCHEMA_NOT_REGISTERED,
          `schema is not registered under subject ${subject} and auto-registration is off: run npm run schemas:register`,
          { cause: error },
        );
      }
    }
    try {
      const { id } = await this.registry.register(
        { type: SchemaType.AVRO, schema: text },
        { subject, compatibility: this.compatibility },
      );
      return id;
    } catch (error) {
      // Two processes registering a new subject at once race inside the library: one reads the subject's
      // level between the other's registration and its setting of that level (sees the registry's global
      // level and refuses), or sets the level after the other did (Apicurio answers 409 "rule already
      // exists"). Either way the schema is registered by then, and its id is the answer; a schema the
      // registry really refused is not found and the refusal stands.
      const registered = await this.registry
        .getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: text })
        .catch(() => undefined);
      if (registered !== undefined) return registered;
      const status = statusOf(error);
      if (status === 409) {
        throw new TributaryError(
          KafkaErrorCodes.SCHEMA_INCOMPATIBLE,
          `the registry refused the schema for subject ${subject} as incompatible: ${messageOf(error)}`,
          { cause: error },
        );
      }
      if (
        status === 422 ||
        (error as Error | undefined)?.name === 'ConfluentSchemaRegistryCompatibilityError'
      ) {
        throw new TributaryError(
          KafkaErrorCodes.SCHEMA_REGISTRATION_FAILED,
          `registering subject ${subject} failed: ${messageOf(error)}`,
          { cause: error },
        );
      }
      throw unavailable(`registering subject ${subject}`, error);
    }
  }
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function unavailable(what: string, error: unknown): TributaryError {
  return new TributaryError(
    KafkaErrorCodes.SCHEMA_REGISTRY_UNAVAILABLE,
    `schema registry unavailable while ${what}: ${messageOf(error)}`,
    { retriable: true, cause: error },
  );
}
