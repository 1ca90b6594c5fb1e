import { TributaryError } from '@tributary/contracts';
import type { DomainEvent, EventDefinition } from '@tributary/contracts';
import avro from 'avsc';
import type { Resolver, Type } from 'avsc';
import { KafkaErrorCodes } from '../error-codes.js';
import type { RawHeaders } from '../headers.js';
import { envelopeFromHeaders } from './cloud-events.js';
import { SharedLoadCache } from './schema-cache.js';
import type { SchemaRegistryClient } from './schema-registry-client.js';
import { decodeWireFormat } from './wire-format.js';

/** What a decoder needs of a consumed record; kafkajs' KafkaMessage fits. */
export interface ConsumedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: RawHeaders;
}

/** Turns record bytes into a DomainEvent, or throws a classified TributaryError. */
export interface EventDecoder {
  decode(record: ConsumedRecord): Promise<DomainEvent>;
}

export interface AvroEventDecoderOptions {
  registry: SchemaRegistryClient;
  /**
   * The consumer's own schemas by event type. When given, data written with an older or newer compatible
   * schema is resolved into the shape this consumer was built against; types not listed decode as written.
   */
  readerDefinitions?: Iterable<EventDefinition>;
}

interface Reading {
  readonly type: Type;
  readonly resolver?: Resolver;
}

/**
 * Errors, none retriable except an unreachable registry (SCHEMA_REGISTRY_UNAVAILABLE):
 * DECODE_BAD_MAGIC_BYTE, DECODE_MISSING_HEADERS, DECODE_UNKNOWN_SCHEMA, DECODE_INCOMPATIBLE_SCHEMA,
 * DECODE_CORRUPT_AVRO.
 */
export class AvroEventDecoder implements EventDecoder {
  private readonly readers = new Map<string, Type>();
  private readonly readings = new SharedLoadCache<string, Reading>(1_000);

  constructor(private readonly options: AvroEventDecoderOptions) {
    for (const definition of options.readerDefinitions ?? []) {
      this.readers.set(definition.type, avro.Type.forSchema(definition.schema as avro.Schema));
    }
  }

  async decode(record: ConsumedRecord): Promise<DomainEvent> {
    const { schemaId, body } = decodeWireFormat(record.value);
    const envelope = envelopeFromHeaders(record.headers, record.key);
    const reading = await this.readings.get(`${schemaId}|${envelope.type}`, () =>
      this.reading(schemaId, envelope.type),
    );
    let data: unknown;
    try {
      data = reading.type.fromBuffer(body, reading.resolver);
    } catch (error) {
      throw new TributaryError(
        KafkaErrorCodes.DECODE_CORRUPT_AVRO,
        `value of event ${envelope.id} does not decode with schema id ${schemaId}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return { ...envelope, data };
  }

  private async reading(schemaId: number, eventType: string): Promise<Reading> {
    const writer = await this.options.registry.schemaById(schemaId);
    const reader = this.readers.get(eventType);
    if (!reader) return { type: writer };
    try {
      return { type: reader, resolver: reader.createResolver(writer) };
    } catch (error) {
      throw new TributaryError(
        KafkaErrorCodes.DECODE_INCOMPATIBLE_SCHEMA,
        `schema id ${schemaId} cannot be read as ${eventType}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}
