/**
 * Typed access to the generated event catalogue: producers write `EventOf<'payments.payment.succeeded'>`,
 * consumers narrow an incoming ce_type with `isEventType` before looking its definition up.
 */
import type { DomainEvent, EventDefinition } from './events.js';
import { eventCatalogue } from './generated/events.js';
import type { EventDataMap, EventType } from './generated/events.js';
import type { TopicDefinition } from './topics.js';

/** A domain event of one catalogued type, with its typed payload. */
export type EventOf<T extends EventType> = DomainEvent<T, EventDataMap[T]>;

/** Any catalogued event; `switch (event.type)` narrows `data`. */
export type AnyEvent = { [T in EventType]: EventOf<T> }[EventType];

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(eventCatalogue, value);
}

/** The definition of a ce_type read off the wire; undefined for types this build does not know. */
export function findEventDefinition(type: string): EventDefinition | undefined {
  return isEventType(type) ? eventCatalogue[type] : undefined;
}

/**
 * How a new major's event is also written on the deprecated major's topic during the deprecation window
 * (CHANGELOG.md): one function per v2 type, from its payload to the v1 payload, declared here when the v2
 * schema is added and deleted with the v1 topic. The encoder applies it when the outbox row is written, so
 * both records are in the producer's transaction, share the event id (a consumer that moves from v1 to v2
 * under its group finds the events it handled in its inbox) and keep their order per key in each topic.
 */
export interface EventTranslation<From = unknown, To = unknown> {
  /** The new major's ce_type (`payments.payment.succeeded.v2`). */
  readonly from: string;
  /** The deprecated major's ce_type it is also published as. */
  readonly to: string;
  // A method, not a function property: a typed translation stands in the untyped list (bivariant).
  translate(data: From): To;
}

/** A translation between two catalogued types, checked against both payload types. */
export function defineTranslation<From extends EventType, To extends EventType>(
  from: From,
  to: To,
  translate: (data: EventDataMap[From]) => EventDataMap[To],
): EventTranslation<EventDataMap[From], EventDataMap[To]> {
  return { from, to, translate };
}

/** The translations of every topic in its deprecation window. None today: no topic is deprecated. */
export const eventTranslations: readonly EventTranslation[] = [];

const day = 24 * 60 * 60 * 1000;

/**
 * What is wrong with a topic's deprecation dates (CHANGELOG.md: the window is at least the longer of 30
 * days and the topic's retention; the topic goes at least one retention after the last record).
 */
export function deprecationWindowProblems(topic: TopicDefinition): string[] {
  const deprecation = topic.deprecation;
  if (!deprecation) return [];
  const at = (field: 'announced' | 'sunset' | 'removeAfter') => Date.parse(`${deprecation[field]}T00:00:00Z`);
  const problems: string[] = [];
  for (const field of ['announced', 'sunset', 'removeAfter'] as const) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(deprecation[field]) || Number.isNaN(at(field))) {
      problems.push(`${topic.name}: deprecation.${field} is not a YYYY-MM-DD date`);
    }
  }
  if (problems.length > 0) return problems;
  const window = Math.max(30 * day, topic.retentionMs);
  if (at('sunset') - at('announced') < window) {
    problems.push(`${topic.name}: sunset is less than max(30 days, retention) after announced`);
  }
  if (at('removeAfter') - at('sunset') < topic.retentionMs) {
    problems.push(`${topic.name}: removeAfter is less than the retention after sunset`);
  }
  if (!/^docs\/migrations\/[\w.-]+\.md$/.test(deprecation.guide)) {
    problems.push(`${topic.name}: deprecation.guide must be docs/migrations/<file>.md`);
  }
  return problems;
}
