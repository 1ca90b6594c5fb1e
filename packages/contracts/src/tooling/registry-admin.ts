/**
 * The few Confluent Schema Registry REST calls the schema tooling needs, over plain `fetch`. The same API
 * is served by Confluent Schema Registry and by Apicurio's `ccompat/v7` endpoint, so the tooling works
 * against both. The producer's serde has its own client; this one is for administration and CI.
 */
import { TributaryError } from '../errors.js';
import type { CompatibilityLevel } from './compatibility.js';

export interface SchemaRegistryAdminOptions {
  /** Base URL, e.g. `http://localhost:8081` or `http://localhost:8080/apis/ccompat/v7`. */
  readonly url: string;
  /** Per request; default 10 s. */
  readonly timeoutMs?: number;
  /** Extra headers, e.g. `authorization`. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly fetch?: typeof fetch;
}

export interface RegisteredSchema {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  /** The registered text. */
  readonly schema: string;
}

/**
 * A registry answer other than success. `code`: `SCHEMA_REGISTRY_INCOMPATIBLE` (409),
 * `SCHEMA_REGISTRY_INVALID_SCHEMA` (422), `SCHEMA_REGISTRY_UNREACHABLE` (no answer) or `SCHEMA_REGISTRY_ERROR`.
 */
export class SchemaRegistryError extends TributaryError {
  /** HTTP status; undefined when the registry did not answer. */
  readonly status: number | undefined;
  /** The registry's `error_code`, e.g. 40401 subject not found. */
  readonly registryErrorCode: number | undefined;

  constructor(
    code: string,
    message: string,
    details: { status?: number; registryErrorCode?: number; retriable?: boolean; cause?: unknown },
  ) {
    super(code, message, { retriable: details.retriable ?? false, cause: details.cause });
    this.status = details.status;
    this.registryErrorCode = details.registryErrorCode;
  }
}

const contentType = 'application/vnd.schemaregistry.v1+json';

export class SchemaRegistryAdmin {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly fetchFn: typeof fetch;

  constructor(options: SchemaRegistryAdminOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.headers = options.headers ?? {};
    this.fetchFn = options.fetch ?? fetch;
  }

  /** Every subject the registry holds (not the soft-deleted ones), in the registry's order. */
  async listSubjects(): Promise<string[]> {
    return (await this.request<string[]>('GET', '/subjects')) ?? [];
  }

  /** Version numbers of a subject, ascending; empty when the subject does not exist. */
  async listVersions(subject: string): Promise<number[]> {
    const versions = await this.request<number[]>('GET', `/subjects/${enc(subject)}/versions`, undefined, {
      notFound: true,
    });
    return (versions ?? []).slice().sort((a, b) => a - b);
  }

  async getVersion(subject: string, version: number | 'latest'): Promise<RegisteredSchema> {
    const found = await this.request<RegisteredSchema>(
      'GET',
      `/subjects/${enc(subject)}/versions/${version}`,
    );
    return pickRegistered(found!, subject);
  }

  /** Every version of a subject, oldest first. */
  async getAllVersions(subject: string): Promise<RegisteredSchema[]> {
    const versions = await this.listVersions(subject);
    return Promise.all(versions.map((v) => this.getVersion(subject, v)));
  }

  /** The registered version with exactly this text, if any. */
  async lookup(subject: string, schemaText: string): Promise<RegisteredSchema | undefined> {
    const found = await this.request<RegisteredSchema>(
      'POST',
      `/subjects/${enc(subject)}`,
      { schema: schemaText, schemaType: 'AVRO' },
      { notFound: true },
    );
    return found && pickRegistered(found, subject);
  }

  /** Registers (or finds) the schema; throws `SCHEMA_REGISTRY_INCOMPATIBLE` when the subject's rule refuses it. */
  async register(subject: string, schemaText: string): Promise<{ id: number }> {
    const created = await this.request<{ id: number }>('POST', `/subjects/${enc(subject)}/versions`, {
      schema: schemaText,
      schemaType: 'AVRO',
    });
    return { id: created!.id };
  }

  /** The subject's own compatibility level; undefined when only the global default applies. */
  async getCompatibility(subject: string): Promise<CompatibilityLevel | undefined> {
    const config = await this.request<{ compatibilityLevel?: string; compatibility?: string }>(
      'GET',
      `/config/${enc(subject)}`,
      undefined,
      { notFound: true },
    );
    const level = config?.compatibilityLevel ?? config?.compatibility;
    return level as CompatibilityLevel | undefined;
  }

  /** Works before the subject's first version exists, so a subject is never unprotected. */
  async setCompatibility(subject: string, level: CompatibilityLevel): Promise<void> {
    await this.request('PUT', `/config/${enc(subject)}`, { compatibility: level });
  }

  /**
   * The registry's own verdict for `schemaText` under the subject's configured level. True when the
   * subject does not exist yet (nothing to break).
   */
  async testCompatibility(
    subject: string,
    schemaText: string,
    version: number | 'latest' = 'latest',
  ): Promise<{ compatible: boolean; messages: string[] }> {
    const verdict = await this.request<{ is_compatible: boolean; messages?: string[] }>(
      'POST',
      `/compatibility/subjects/${enc(subject)}/versions/${version}?verbose=true`,
      { schema: schemaText, schemaType: 'AVRO' },
      { notFound: true },
    );
    if (!verdict) return { compatible: true, messages: [] };
    return { compatible: verdict.is_compatible, messages: verdict.messages ?? [] };
  }

  /** Deletes a subject; `permanent` also removes it from the soft-deleted list. For tests and clean-ups. */
  async deleteSubject(subject: string, options: { permanent?: boolean } = {}): Promise<void> {
    await this.request('DELETE', `/subjects/${enc(subject)}`, undefined, { notFound: true });
    if (options.permanent) {
      await this.request('DELETE', `/subjects/${enc(subject)}?permanent=true`, undefined, { notFound: true });
    }
  }

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
    options: { notFound?: boolean } = {},
  ): Promise<T | undefined> {
    const target = `${this.url}${path}`;
    let response: Response;
    try {
      response = await this.fetchFn(target, {
        method,
        headers: {
          accept: contentType,
          ...(body === undefined ? {} : { 'content-type': contentType }),
          ...this.headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      throw new SchemaRegistryError(
        'SCHEMA_REGISTRY_UNREACHABLE',
        `${method} ${target}: no answer (${cause instanceof Error ? cause.message : String(cause)})`,
        { retriable: true, cause },
      );
    }
    const text = await response.text();
    if (response.ok) return (text === '' ? undefined : JSON.parse(text)) as T;
    if (response.status === 404 && options.notFound) return undefined;

    let registryErrorCode: number | undefined;
    let detail = text;
    try {
      const parsed = JSON.parse(text) as { error_code?: number; message?: string };
      registryErrorCode = parsed.error_code;
      detail = parsed.message ?? text;
    } catch {
      // not JSON: keep the raw body as the detail
    }
    const code =
      response.status === 409
        ? 'SCHEMA_REGISTRY_INCOMPATIBLE'
        : response.status === 422
          ? 'SCHEMA_REGISTRY_INVALID_SCHEMA'
          : 'SCHEMA_REGISTRY_ERROR';
    throw new SchemaRegistryError(code, `${method} ${target}: ${response.status} ${detail}`, {
      status: response.status,
      ...(registryErrorCode === undefined ? {} : { registryErrorCode }),
      retriable: response.status >= 500 || response.status === 429,
    });
  }
}

const enc = encodeURIComponent;

function pickRegistered(raw: RegisteredSchema, subject: string): RegisteredSchema {
  return { subject: raw.subject ?? subject, version: raw.version, id: raw.id, schema: raw.schema };
}
