import { z } from 'zod';
import { JSON_POINTER_PATTERN } from './json-pointer.js';

const day = 24 * 3600;
const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, { message: 'expected an HTTP header name' });
const pointer = z
  .string()
  .regex(JSON_POINTER_PATTERN, { message: 'expected a JSON pointer (RFC 6901), e.g. /data/id' });
const toleranceSeconds = z.int().min(1).max(3600);

const locatorShape = { pointer: pointer.optional(), header: headerName.optional() };
const exactlyOne = (value: { pointer?: string | undefined; header?: string | undefined }) =>
  (value.pointer === undefined) !== (value.header === undefined);
const oneOf = { message: 'give either "pointer" (into the JSON body) or "header", not both' };

/** Where a value is found: a JSON pointer into the body, or a request header. */
const locator = z.strictObject(locatorShape).refine(exactlyOne, oneOf);

const schemeConfig = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('standard-webhooks'), toleranceSeconds: toleranceSeconds.optional() }),
  z.strictObject({ type: z.literal('stripe'), toleranceSeconds: toleranceSeconds.optional() }),
  z.strictObject({ type: z.literal('github') }),
  z.strictObject({
    type: z.literal('hmac'),
    signatureHeader: headerName,
    algorithm: z.enum(['sha1', 'sha256', 'sha512']).default('sha256'),
    encoding: z.enum(['hex', 'base64']),
    hexCase: z.enum(['lower', 'any']).optional(),
    prefix: z.string().max(64).optional(),
    signedContent: z.string().max(512).optional(),
    timestampHeader: headerName.optional(),
    timestampUnit: z.enum(['seconds', 'milliseconds']).optional(),
    toleranceSeconds: toleranceSeconds.optional(),
    secretEncoding: z.enum(['utf8', 'utf8-nfkd', 'base64', 'hex']).optional(),
  }),
]);

/**
 * One webhook source declared by configuration (`WEBHOOK_SOURCES` / `WEBHOOK_SOURCES_FILE` in ingestion):
 * everything a coded definition says, as data. Strict objects: a misspelt key is refused, not ignored.
 */
export const webhookSourceConfig = z.strictObject({
  /** Path segment (`POST /webhooks/<name>`), metric label and the event's `provider`. */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, {
    message: 'expected a lower-case slug of at most 32 characters, e.g. acme-billing',
  }),
  domain: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/)
    .default('integrations'),
  description: z.string().max(500).optional(),
  scheme: schemeConfig,
  /** Environment variable with the comma-separated secrets; `<NAME>_FILE` works as for every variable. */
  secretsEnv: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{0,63}$/, {
      message: 'expected an environment variable name, e.g. ACME_WEBHOOK_SECRETS',
    })
    .refine((name) => !name.endsWith('_FILE'), {
      message: 'name the variable; <NAME>_FILE is read by itself',
    }),
  /** How long the provider retries; deduplication (the event log's retention) must outlast it. */
  retryHorizonSeconds: z
    .int()
    .min(60)
    .max(30 * day)
    .default(3 * day),
  dedupeId: locator,
  eventType: locator,
  /**
   * The provider's id of the object the event is about: the Kafka key, so that object's events keep their
   * order. A pointer only: replay reads it again from the stored body, which has no headers.
   */
  objectId: z.strictObject({ pointer }).optional(),
  occurredAt: z
    .strictObject({ ...locatorShape, format: z.enum(['iso8601', 'unix-seconds', 'unix-millis']) })
    .refine(exactlyOne, oneOf)
    .optional(),
});

export type WebhookSourceConfig = z.output<typeof webhookSourceConfig>;
export type WebhookSourceLocator = WebhookSourceConfig['dedupeId'];

/**
 * Reads a JSON array of sources. Problems name where they come from (`origin`, e.g. the variable), the
 * source by name and position, and the field, so one boot failure says what to fix.
 */
export function parseWebhookSources(
  text: string | undefined,
  origin: string,
): { sources: WebhookSourceConfig[]; problems: string[] } {
  if (text === undefined || text.trim() === '') return { sources: [], problems: [] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { sources: [], problems: [`${origin}: not JSON (${(error as Error).message})`] };
  }
  if (!Array.isArray(json)) return { sources: [], problems: [`${origin}: expected a JSON array of sources`] };
  const sources: WebhookSourceConfig[] = [];
  const problems: string[] = [];
  json.forEach((raw: unknown, index) => {
    const label = sourceLabel(raw, index);
    const parsed = webhookSourceConfig.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(
          `${origin}: ${label} ${issue.path.map(String).join('.') || '(source)'}: ${issue.message}`,
        );
      }
      return;
    }
    if (sources.some((s) => s.name === parsed.data.name)) {
      problems.push(`${origin}: ${label} name: declared twice`);
      return;
    }
    sources.push(parsed.data);
  });
  return { sources, problems };
}

function sourceLabel(raw: unknown, index: number): string {
  const name = typeof raw === 'object' && raw !== null ? (raw as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? `source "${name}" (#${index + 1})` : `source #${index + 1}`;
}
