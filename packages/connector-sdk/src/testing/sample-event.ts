import { TributaryError, eventCatalogue, isEventType } from '@tributary/contracts';
import type { EventOf, EventType } from '@tributary/contracts';
import avro from 'avsc';
import { v7 as uuidv7 } from 'uuid';

/** Stable codes of the testing helpers' own failures. */
export const TestingErrorCode = {
  /** `sampleEvent` was given a type the catalogue does not know. */
  unknownEventType: 'SAMPLE_EVENT_UNKNOWN_TYPE',
  /** The catalogue grew an Avro construct the sampler cannot fill: teach `sampleValue` about it. */
  sampleInvalid: 'SAMPLE_EVENT_INVALID',
  /** The provider simulator's entry point was not found above the test's files. */
  simulatorNotFound: 'PROVIDER_SIM_NOT_FOUND',
} as const;

export interface SampleEventOptions<T extends EventType> {
  /** ce_id; a fresh UUIDv7 by default. */
  id?: string;
  /** ce_subject, also written into the payload's key field (the aggregate id); a fresh UUIDv7 by default. */
  subject?: string;
  /** Payload fields to set instead of the sampled ones (after the key field, so it can be overridden too). */
  data?: Partial<EventOf<T>['data']>;
  /** ce_source; default `/tributary/sample`. */
  source?: string;
}

/**
 * A valid event of any catalogue type, built from its Avro schema, so that a connector (a generated one
 * included) has a trigger without hand-written fixtures. The values are plain rather than random, so a
 * handler that forwards them to a provider sends something sane: the key field (the one documented as the
 * Kafka key, else the first) is the subject; other `…Id`/UUID fields are fresh UUIDv7s; timestamps are now;
 * currency/country codes are EUR/DE; amounts 4200; quantities 1; optional (null-default) fields are null;
 * enums take their default or first symbol; arrays hold one element. The result is checked against the
 * schema, so it always encodes.
 */
export function sampleEvent<T extends EventType>(type: T, options: SampleEventOptions<T> = {}): EventOf<T> {
  if (!isEventType(type)) {
    throw new TributaryError(
      TestingErrorCode.unknownEventType,
      `no event type ${JSON.stringify(type)} in the catalogue`,
    );
  }
  const definition = eventCatalogue[type];
  const subject = options.subject ?? uuidv7();
  const record = definition.schema as unknown as AvroRecord;
  const data = {
    ...(sampleValue(record, collectNamed(record, record.namespace, new Map()), record.namespace) as Record<
      string,
      unknown
    >),
    [keyFieldOf(record).name]: subject,
    ...options.data,
  };
  const type_ = avro.Type.forSchema(definition.schema as avro.Schema);
  const problems: string[] = [];
  if (!type_.isValid(data, { errorHook: (path) => problems.push(path.join('.') || '(record)') })) {
    throw new TributaryError(
      TestingErrorCode.sampleInvalid,
      `sample of ${type} does not match ${definition.recordName} at ${problems.join(', ')}`,
    );
  }
  return {
    id: options.id ?? uuidv7(),
    type,
    source: options.source ?? '/tributary/sample',
    subject,
    time: new Date().toISOString(),
    data,
  } as EventOf<T>;
}

interface AvroField {
  readonly name: string;
  readonly type: unknown;
  readonly doc?: string;
  readonly default?: unknown;
}

interface AvroRecord {
  readonly type: 'record';
  readonly name: string;
  readonly namespace?: string;
  readonly fields: readonly AvroField[];
}

/** The catalogue documents the aggregate id as "the Kafka key"; older schemas put it first. */
function keyFieldOf(record: AvroRecord): AvroField {
  const documented = record.fields.find((field) => /kafka key/i.test(field.doc ?? ''));
  const key = documented ?? record.fields[0];
  if (!key) throw new TributaryError(TestingErrorCode.sampleInvalid, `${record.name} has no fields`);
  return key;
}

/** Named types (records, enums, fixed) by full name, for references by name. */
type NamedTypes = Map<string, unknown>;

/** Every named type of the schema, including those only reachable through a branch the sampler skips. */
function collectNamed(schema: unknown, namespace: string | undefined, named: NamedTypes): NamedTypes {
  if (Array.isArray(schema)) {
    for (const branch of schema) collectNamed(branch, namespace, named);
  } else if (schema && typeof schema === 'object') {
    const complex = schema as {
      name?: string;
      namespace?: string;
      fields?: AvroField[];
      items?: unknown;
      values?: unknown;
    };
    const ns = complex.namespace ?? namespace;
    if (complex.name) named.set(complex.name.includes('.') ? complex.name : `${ns}.${complex.name}`, complex);
    for (const field of complex.fields ?? []) collectNamed(field.type, ns, named);
    if (complex.items !== undefined) collectNamed(complex.items, ns, named);
    if (complex.values !== undefined) collectNamed(complex.values, ns, named);
  }
  return named;
}

function sampleValue(
  schema: unknown,
  named: NamedTypes,
  namespace: string | undefined,
  field?: AvroField,
): unknown {
  if (typeof schema === 'string') {
    const primitive = samplePrimitive(schema, field);
    if (primitive !== undefined) return primitive;
    const reference = named.get(schema) ?? named.get(`${namespace}.${schema}`);
    if (reference === undefined) {
      throw new TributaryError(TestingErrorCode.sampleInvalid, `unknown Avro type ${schema}`);
    }
    return sampleValue(reference, named, namespace, field);
  }
  if (Array.isArray(schema)) {
    // An optional field: null is its "absent" value, and the smallest valid payload.
    if (schema.includes('null')) return null;
    return sampleValue(schema[0], named, namespace, field);
  }
  const complex = schema as { type: string; name?: string; namespace?: string; logicalType?: string };
  const ns = complex.namespace ?? namespace;
  switch (complex.type) {
    case 'record': {
      const record = complex as unknown as AvroRecord;
      return Object.fromEntries(
        record.fields.map((f) => [f.name, f.default === null ? null : sampleValue(f.type, named, ns, f)]),
      );
    }
    case 'enum': {
      const e = complex as unknown as { symbols: string[]; default?: string };
      return e.default ?? e.symbols[0];
    }
    case 'array':
      return [sampleValue((complex as unknown as { items: unknown }).items, named, ns, field)];
    case 'map':
      return {};
    case 'fixed':
      return Buffer.alloc((complex as unknown as { size: number }).size);
    default:
      if (complex.logicalType === 'timestamp-millis') return Date.now();
      if (complex.logicalType === 'uuid') return uuidv7();
      return sampleValue(complex.type, named, ns, field);
  }
}

function samplePrimitive(type: string, field: AvroField | undefined): unknown {
  const name = field?.name ?? '';
  const doc = field?.doc ?? '';
  switch (type) {
    case 'null':
      return null;
    case 'boolean':
      return false;
    case 'int':
    case 'long':
      if (/amount|price|total/i.test(name)) return 4200;
      if (/(At|Time|Timestamp)$/.test(name)) return Date.now();
      return 1;
    case 'float':
    case 'double':
      return 1.5;
    case 'bytes':
      return Buffer.from('sample');
    case 'string':
      if (/Id$/.test(name) || /\(UUID\)/.test(doc)) return uuidv7();
      if (name === 'currency' || /ISO 4217/.test(doc)) return 'EUR';
      if (/country/i.test(name) || /ISO 3166/.test(doc)) return 'DE';
      if (/email/i.test(name)) return 'sample@example.com';
      return `sample ${name || 'value'}`;
    default:
      return undefined;
  }
}
