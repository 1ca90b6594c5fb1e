/**
 * Typed access to the generated event catalogue: producers write `EventOf<'payments.payment.succeeded'>`,
 * consumers narrow an incoming ce_type with `isEventType` before looking its definition up.
 */
import type { DomainEvent, EventDefinition } from './events.js';
import { eventCatalogue } from './generated/events.js';
import type { EventDataMap, EventType } from './generated/events.js';

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
