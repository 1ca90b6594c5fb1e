import type { DomainEvent } from '@tributary/contracts';
import type { MappingStatus } from '@tributary/webhooks';

/**
 * Status of an event log entry. Webhook entries take the mapping's status (`mapped`, `ignored`,
 * `unresolved`, `unknown_type`, `invalid`) or `failed` when the mapped events failed their schema (a
 * mapping bug); internal events are `accepted`. Everything but `mapped`/`accepted` published nothing, and
 * replay may map it again once the reason is fixed.
 */
export type EntryStatus = MappingStatus | 'failed' | 'accepted';
export const ENTRY_STATUSES = [
  'mapped',
  'ignored',
  'unresolved',
  'unknown_type',
  'invalid',
  'failed',
  'accepted',
] as const satisfies readonly EntryStatus[];

export const ENTRY_SOURCES = ['webhook', 'api'] as const;
export type EntrySource = (typeof ENTRY_SOURCES)[number];

/** Provider name of internal events in the log. No webhook provider may take it (names are slugs of ours). */
export const API_PROVIDER = 'api';

export interface NewEntry {
  readonly id: string;
  readonly source: EntrySource;
  readonly provider: string;
  readonly dedupeKey: string;
  readonly eventType: string;
  readonly status: EntryStatus;
  readonly statusReason?: string;
  readonly payload: unknown;
  readonly requestHash?: string;
  /** The delivery's exact bytes (webhooks): kept once per distinct body in `webhook_bodies`. */
  readonly rawBody?: Buffer;
  readonly occurredAt?: Date;
  /** The domain events this entry produced, with the topic each was encoded for. */
  readonly events: ReadonlyArray<{ readonly event: DomainEvent; readonly topic: string }>;
}

export interface EntryFilter {
  readonly provider?: string;
  readonly type?: string;
  readonly status?: EntryStatus;
  readonly from?: Date;
  readonly to?: Date;
}
