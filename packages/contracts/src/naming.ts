/**
 * Naming rules (docs/architecture.md#topics) in one place, so the generator, the schema tooling, the producer
 * and the topic catalogue cannot drift apart. A schema lives at
 * `schemas/<domain>/<aggregate>/v<major>/<Record>.avsc`; everything else (topic, namespace, subject, ce_type)
 * is derived from that path.
 */
import { TributaryError } from './errors.js';

/** `<domain>.<aggregate>.v<major>`, e.g. `payments.payment.v1`. */
export function topicNameFor(domain: string, aggregate: string, major: number): string {
  return `${domain}.${aggregate}.v${major}`;
}

/**
 * Avro namespace of an aggregate's records. From v2 on the major is part of the namespace, so both majors
 * can be generated and consumed side by side during a deprecation window.
 */
export function namespaceFor(domain: string, aggregate: string, major: number): string {
  return major === 1 ? `tributary.${domain}.${aggregate}` : `tributary.${domain}.${aggregate}.v${major}`;
}

/** TopicRecordNameStrategy: `<topic>-<record full name>`. */
export function subjectFor(topic: string, recordFullName: string): string {
  return `${topic}-${recordFullName}`;
}

/**
 * The exact text to register for a schema. Apicurio recognises an already registered schema only by
 * identical text, so every registrant (the `register` script, the producer's serde) must send this form.
 */
export function schemaTextOf(schema: object): string {
  return JSON.stringify(schema);
}

/**
 * ce_type of a record: the record name minus its aggregate prefix, in snake case.
 * `payments`/`payment`/`PaymentSucceeded` → `payments.payment.succeeded`;
 * `crm`/`contact`/`ContactAddressChanged` → `crm.contact.address_changed`. From v2 on a `.v<major>` suffix
 * keeps the types of both majors distinct while they coexist.
 */
export function eventTypeFor(domain: string, aggregate: string, major: number, recordName: string): string {
  const prefix = aggregate.charAt(0).toUpperCase() + aggregate.slice(1);
  const rest = recordName.startsWith(prefix) ? recordName.slice(prefix.length) : '';
  if (!/^[A-Z][A-Za-z0-9]*$/.test(rest)) {
    throw new TributaryError(
      'SCHEMA_NAME_INVALID',
      `record "${recordName}" must be named <Aggregate><PastTenseVerb>, e.g. ${prefix}Created`,
    );
  }
  const action = rest.replace(/(?<=[a-z0-9])([A-Z])/g, '_$1').toLowerCase();
  return major === 1 ? `${domain}.${aggregate}.${action}` : `${domain}.${aggregate}.${action}.v${major}`;
}

/** Generated TypeScript name of an Avro named type (record, enum, fixed): its simple name, plus `V<major>` from v2 on. */
export function generatedTypeNameFor(avroSimpleName: string, major: number): string {
  return major === 1 ? avroSimpleName : `${avroSimpleName}V${major}`;
}
