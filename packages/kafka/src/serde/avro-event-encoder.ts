import { TributaryError, eventTranslations } from '@tributary/contracts';
import type { DomainEvent, EventDefinition, EventTranslation } from '@tributary/contracts';
import avro from 'avsc';
import type { Type } from 'avsc';
import { KafkaErrorCodes } from '../error-codes.js';
import type { EncodedRecord, EventEncoder } from '../records.js';
import { cloudEventHeaders } from './cloud-events.js';
import { recordFullName, topicRecordSubject } from './schema-registry-client.js';
import type { SchemaRegistryClient } from './schema-registry-client.js';
import { encodeWireFormat } from './wire-format.js';

export interface AvroEventEncoderOptions {
  registry: SchemaRegistryClient;
  /** The event catalogue this process may produce. Taken as a parameter so the encoder has no fixed catalogue. */
  definitions: Iterable<EventDefinition>;
  /**
   * Register a schema the registry does not know yet (the registry's compatibility rule still decides).
   * On by default so local stacks and tests work from empty. Off in production (the service kit's
   * SCHEMA_AUTO_REGISTER): schemas arrive through `npm run schemas:register`, and encoding an event whose
   * schema is missing fails with SCHEMA_NOT_REGISTERED instead of registering it.
   */
  autoRegister?: boolean;
  /**
   * Types of a new major also published on the deprecated major's topic during its window (CHANGELOG.md).
   * Both types of each must be among `definitions`. Default: the contracts' `eventTranslations` whose types
   * this encoder has, so every producer of the catalogue dual-publishes without wiring of its own.
   */
  translations?: Iterable<EventTranslation>;
}

/** On a record written by a translation: the ce_type it was translated from (the new major's). */
export const TRANSLATED_FROM_HEADER = 'tributary-translated-from';

interface CompiledDefinition {
  readonly definition: EventDefinition;
  readonly type: Type;
  readonly subject: string;
}

const ENVELOPE_FIELDS = ['id', 'type', 'source', 'subject', 'time'] as const;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Validates and encodes domain events to Confluent-framed Avro with CloudEvents headers
 * (docs/architecture.md#topics).
 */
export class AvroEventEncoder implements EventEncoder {
  private readonly byType = new Map<string, CompiledDefinition>();
  private readonly translationsOf = new Map<string, EventTranslation[]>();
  readonly autoRegister: boolean;

  constructor(private readonly options: AvroEventEncoderOptions) {
    this.autoRegister = options.autoRegister ?? true;
    for (const definition of options.definitions) {
      const fullName = recordFullName(definition.schema);
      if (fullName !== definition.recordName) {
        throw new Error(
          `event ${definition.type}: recordName ${definition.recordName} differs from the schema's ${fullName}`,
        );
      }
      this.byType.set(definition.type, {
        definition,
        type: avro.Type.forSchema(definition.schema as avro.Schema),
        subject: topicRecordSubject(definition.topic, definition.recordName),
      });
    }
    const translations =
      options.translations ??
      eventTranslations.filter((t) => this.byType.has(t.from) && this.byType.has(t.to));
    for (const translation of translations) {
      for (const type of [translation.from, translation.to]) {
        if (!this.byType.has(type)) {
          throw new Error(`translation ${translation.from} → ${translation.to}: no definition for ${type}`);
        }
      }
      if (
        this.byType.get(translation.from)!.definition.topic ===
        this.byType.get(translation.to)!.definition.topic
      ) {
        throw new Error(`translation ${translation.from} → ${translation.to}: both types are on one topic`);
      }
      this.translationsOf.set(translation.from, [
        ...(this.translationsOf.get(translation.from) ?? []),
        translation,
      ]);
    }
  }

  /**
   * The event's record, then one per translation of its type: the same id, key and CloudEvents attributes
   * under the old ce_type, the payload translated and validated against the old schema, so a translation
   * that no longer fits fails before the producer's transaction commits, not at a v1 consumer.
   */
  async encodeAll(event: DomainEvent): Promise<EncodedRecord[]> {
    const records = [await this.encode(event)];
    for (const translation of this.translationsOf.get(event.type) ?? []) {
      const translated = await this.encode({
        ...event,
        type: translation.to,
        data: translation.translate(event.data),
      });
      records.push({
        ...translated,
        headers: { ...translated.headers, [TRANSLATED_FROM_HEADER]: event.type },
      });
    }
    return records;
  }

  /** Throws SCHEMA_VALIDATION_FAILED naming every bad field path; cheap, no registry round trip. */
  validate(event: DomainEvent): void {
    const compiled = this.compiled(event.type);
    const problems: string[] = [];
    for (const field of ENVELOPE_FIELDS) {
      if (typeof event[field] !== 'string' || event[field].length === 0)
        problems.push(`${field}: must be a non-empty string`);
    }
    if (typeof event.time === 'string' && event.time && !RFC3339.test(event.time)) {
      problems.push('time: must be an RFC 3339 timestamp');
    }
    compiled.type.isValid(event.data, {
      errorHook: (path, value, type) =>
        problems.push(
          `data.${path.join('.') || '(root)'}: expected ${describeType(type)}, got ${describeValue(value)}`,
        ),
    });
    if (problems.length > 0) {
      throw new TributaryError(
        KafkaErrorCodes.SCHEMA_VALIDATION_FAILED,
        `event ${event.type} does not match ${compiled.definition.recordName}: ${problems.join('; ')}`,
      );
    }
  }

  async encode(event: DomainEvent): Promise<EncodedRecord> {
    this.validate(event);
    const { definition, type, subject } = this.compiled(event.type);
    const schemaId = await this.options.registry.idFor(subject, definition.schema, {
      register: this.autoRegister,
    });
    return {
      topic: definition.topic,
      key: event.subject,
      value: encodeWireFormat(schemaId, type.toBuffer(event.data)),
      headers: cloudEventHeaders(event),
      eventId: event.id,
    };
  }

  private compiled(eventType: string): CompiledDefinition {
    const compiled = this.byType.get(eventType);
    if (!compiled) {
      throw new TributaryError(
        KafkaErrorCodes.UNKNOWN_EVENT_TYPE,
        `no event definition for type ${eventType}`,
      );
    }
    return compiled;
  }
}

function describeType(type: Type): string {
  return type.name ?? type.typeName;
}

/** The kind of the offending value, never the value: payloads may carry personal data and this text is logged. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
