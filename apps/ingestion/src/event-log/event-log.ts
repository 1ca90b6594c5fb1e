import type { DomainEvent } from '@tributary/contracts';
import type { MappingStatus } from '@tributary/webhooks';

/**
 * Status of an event log entry. Webhook entries take the mapping's status (`mapped`, `ignored`,
 * `unresolved`, `unknown_type`, `invalid`) or `failed` when the mapped events failed their schema (a
 * mapping bug); internal events are `accepted`. Everything but `mapped`/`accepted` published nothing, and
 * replay may map it again once the reason is fixed.
 */
export type EntryStatus = MappingStatus | 'failed' | 'accepted';
export const ENTRY_STATUSES: readonly EntryStatus[] = [
  'mapped',
  'ignored',
  'unresolved',
  'unknown_type',
  'invalid',
  'failed',
  'accepted',
];

export type EntrySource = 'webhook' | 'api';

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
  readonly occurredAt?: Date;
  /** The domain events this entry produced, with the topic each was encoded for. */
  readonly events: ReadonlyArray<{ readonly event: DomainEvent; readonly topic: string }>;
}

export interface EntrySummary {
  readonly id: string;
  readonly source: EntrySource;
  readonly provider: string;
  readonly dedupeKey: string;
  readonly eventType: string;
  readonly status: EntryStatus;
  readonly statusReason: string | null;
  readonly occurredAt: string | null;
  readonly receivedAt: string;
  readonly replayCount: number;
  readonly eventIds: readonly string[];
}

export interface EntryEvent {
  readonly eventId: string;
  readonly type: string;
  readonly topic: string;
  readonly subject: string;
  /** Delivery to Kafka as the outbox knows it; `unknown` once the outbox row aged out (24 h). */
  readonly delivery: 'pending' | 'published' | 'unknown';
  readonly publishedAt: string | null;
}

export interface EntryDetail extends EntrySummary {
  readonly payload: unknown;
  readonly updatedAt: string;
  readonly events: readonly EntryEvent[];
}

export interface EntryFilter {
  readonly provider?: string;
  readonly type?: string;
  readonly status?: EntryStatus;
  readonly from?: Date;
  readonly to?: Date;
}
