/**
 * Reads the `.avsc` files and checks that each one sits where its name says it belongs:
 * `<domain>/<aggregate>/v<major>/<Record>.avsc`, namespace `tributary.<domain>.<aggregate>` (plus `.v<major>`
 * from v2 on), record name = file name. Everything downstream (topic, subject, ce_type) is derived from it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import avsc from 'avsc';
import { TributaryError } from '../errors.js';
import type { AvroRecordSchema } from '../events.js';
import { eventTypeFor, namespaceFor, subjectFor, topicNameFor } from '../naming.js';

/** `packages/contracts/schemas`, found from this module both in `src/` and in `dist/`. */
export const defaultSchemasDir = fileURLToPath(new URL('../../schemas', import.meta.url));

export interface SchemaFile {
  /** Relative to the schemas directory, forward slashes: `commerce/order/v1/OrderPlaced.avsc`. */
  readonly relativePath: string;
  readonly absolutePath: string;
  readonly domain: string;
  readonly aggregate: string;
  readonly major: number;
  /** `<domain>.<aggregate>.v<major>` */
  readonly topic: string;
  /** Simple record name, e.g. `OrderPlaced`. */
  readonly recordName: string;
  /** e.g. `tributary.commerce.order.OrderPlaced` */
  readonly recordFullName: string;
  /** ce_type, e.g. `commerce.order.placed`. */
  readonly eventType: string;
  readonly schema: AvroRecordSchema;
}

const pathPattern = /^([a-z][a-z0-9]*)\/([a-z][a-z0-9]*)\/v([1-9][0-9]*)\/([A-Z][A-Za-z0-9]*)\.avsc$/;

/** Every schema under `dir`, sorted by path. Throws `SCHEMA_FILE_INVALID` naming the file on any problem. */
export function loadSchemaFiles(dir: string = defaultSchemasDir): SchemaFile[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((p) => p.split(sep).join('/'))
    .filter((p) => p.endsWith('.avsc'))
    .sort();
  const loaded = files.map((relativePath) => {
    const absolutePath = join(dir, relativePath);
    return parseSchemaFile(relativePath, readFileSync(absolutePath, 'utf8'), absolutePath);
  });
  const byType = new Map<string, string>();
  for (const file of loaded) {
    const clash = byType.get(file.eventType);
    if (clash) invalid(file.relativePath, `event type ${file.eventType} is already defined by ${clash}`);
    byType.set(file.eventType, file.relativePath);
  }
  return loaded;
}

/** Parses and validates one schema file's text; `relativePath` decides topic, namespace and names. */
export function parseSchemaFile(
  relativePath: string,
  text: string,
  absolutePath: string = relativePath,
): SchemaFile {
  const match = pathPattern.exec(relativePath);
  if (!match) {
    return invalid(
      relativePath,
      'expected <domain>/<aggregate>/v<major>/<Record>.avsc (lower-case domain and aggregate)',
    );
  }
  const [, domain = '', aggregate = '', majorText = '', recordName = ''] = match;
  const major = Number(majorText);

  let schema: AvroRecordSchema;
  try {
    schema = JSON.parse(text) as AvroRecordSchema;
  } catch (error) {
    return invalid(relativePath, `not JSON: ${(error as Error).message}`);
  }
  if (schema?.type !== 'record') invalid(relativePath, 'the top-level type must be a record');
  if (schema.name !== recordName)
    invalid(relativePath, `record name "${schema.name}" must equal the file name`);
  const namespace = namespaceFor(domain, aggregate, major);
  if (schema.namespace !== namespace) {
    invalid(relativePath, `namespace "${schema.namespace ?? ''}" must be "${namespace}"`);
  }
  try {
    avsc.Type.forSchema(schema as unknown as avsc.Schema);
  } catch (error) {
    invalid(relativePath, `not a valid Avro schema: ${(error as Error).message}`);
  }
  let eventType: string;
  try {
    eventType = eventTypeFor(domain, aggregate, major, recordName);
  } catch (error) {
    return invalid(relativePath, (error as Error).message);
  }

  return {
    relativePath,
    absolutePath,
    domain,
    aggregate,
    major,
    topic: topicNameFor(domain, aggregate, major),
    recordName,
    recordFullName: `${namespace}.${recordName}`,
    eventType,
    schema,
  };
}

/** The registry subject of a schema file; `topicPrefix` isolates test runs or environments sharing a registry. */
export function subjectOf(file: SchemaFile, topicPrefix = ''): string {
  return subjectFor(`${topicPrefix}${file.topic}`, file.recordFullName);
}

function invalid(relativePath: string, reason: string): never {
  throw new TributaryError('SCHEMA_FILE_INVALID', `${relativePath}: ${reason}`);
}
