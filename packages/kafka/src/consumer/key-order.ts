import type { KafkaMessage } from 'kafkajs';
import { headerInteger, headerText } from '../headers.js';
import { ParkingHeaders, RetryHeaders } from './forwarding-headers.js';
import type { HeadState, KeyParking, RecordOrigin } from './key-parking.js';

/** Where a consumed record came from and, for a tier record, where it was first read. */
export interface RecordPlace {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  /** True for a record read from one of the group's retry tiers. */
  readonly fromTier: boolean;
}

const LISTED_BEHIND = 50;

/**
 * The per-key order rules of one consumer group over a `KeyParking` store
 * (docs/architecture.md#ordering-and-concurrency). The consumer asks it before a source record runs (park
 * it?), after a record is forwarded (does it now head its key?) and after a tier record is done (release?).
 */
export class KeyOrder {
  constructor(
    readonly group: string,
    private readonly parking: KeyParking,
    readonly onDeadLetter: 'block' | 'skip',
  ) {}

  /** The parked keys among a source batch's records, looked up once per batch (base64 keys). */
  async parkedIn(messages: readonly KafkaMessage[]): Promise<Set<string>> {
    const keys = new Map<string, Buffer>();
    for (const { key } of messages) if (key && key.length > 0) keys.set(key.toString('base64'), key);
    if (keys.size === 0) return new Set();
    return this.parking.parkedAmong(this.group, [...keys.values()]);
  }

  /**
   * Parks a source record whose key is in `parked` (which this batch keeps current as its own records
   * fail); false when the key turned out to be released, and the record should run.
   */
  async parkIfWaiting(place: RecordPlace, parked: Set<string>): Promise<boolean> {
    return (await this.parkWaiting([place], parked)).length === 0;
  }

  /**
   * Parks, in one transaction and in order, those of a partition's records whose key is in `parked`; the
   * records to run: the others, and those of keys that turned out to be released (dropped from `parked`).
   */
  async parkWaiting(places: readonly RecordPlace[], parked: Set<string>): Promise<RecordPlace[]> {
    // Every source record passes here: with no key waiting, nothing is encoded or looked up.
    if (parked.size === 0) return [...places];
    const waiting: { place: RecordPlace; id: string }[] = [];
    for (const place of places) {
      const id = keyIdOf(place.message);
      if (id !== undefined && parked.has(id)) waiting.push({ place, id });
    }
    if (waiting.length === 0) return [...places];
    const released = await this.parking.park(
      this.group,
      waiting.map(({ place: { topic, partition, message } }) => ({
        origin: { topic, partition, offset: message.offset },
        key: message.key!,
        value: message.value,
        headers: message.headers ?? {},
        timestamp: message.timestamp,
      })),
    );
    for (const id of released) parked.delete(id);
    const parkedNow = new Set(waiting.filter(({ id }) => !released.has(id)).map(({ place }) => place));
    return places.filter((place) => !parkedNow.has(place));
  }

  /**
   * A record was forwarded to a retry tier (`retrying`) or the DLQ: it heads its key from now on, unless it
   * was dead-lettered under `skip`, in which case whatever waited behind it is released.
   */
  async forwarded(place: RecordPlace, to: 'retry' | 'dead-letter', parked?: Set<string>): Promise<void> {
    const key = place.message.key;
    if (!key || key.length === 0) return;
    const origin = originOf(place);
    if (to === 'dead-letter' && this.onDeadLetter === 'skip') {
      if (place.fromTier) await this.parking.headFinished(this.group, key, origin);
      return;
    }
    const state: HeadState = to === 'retry' ? 'retrying' : 'dead_lettered';
    await this.parking.markHead(this.group, key, origin, state, !place.fromTier);
    parked?.add(key.toString('base64'));
  }

  /** A tier record was handled: when it heads its key, the key is released. */
  async finished(place: RecordPlace): Promise<boolean> {
    const key = place.message.key;
    if (!place.fromTier || !key || key.length === 0) return false;
    return this.parking.headFinished(this.group, key, originOf(place));
  }

  /**
   * Headers for a head going to the DLQ: how many records wait behind it, which, and whether they go ahead
   * (`skip`) or keep waiting (`block`).
   */
  async deadLetterHeaders(place: RecordPlace): Promise<Record<string, string>> {
    const key = place.message.key;
    if (!key || key.length === 0) return {};
    const { count, origins } = await this.parking.parkedBehind(this.group, key, LISTED_BEHIND);
    if (count === 0) return {};
    return {
      [ParkingHeaders.parkedBehind]: String(count),
      [ParkingHeaders.parkedOrigins]: origins.map((o) => `${o.topic}/${o.partition}/${o.offset}`).join(','),
      [ParkingHeaders.parkedFate]: this.onDeadLetter === 'skip' ? 'released' : 'blocked',
    };
  }
}

function keyIdOf(message: KafkaMessage): string | undefined {
  return message.key && message.key.length > 0 ? message.key.toString('base64') : undefined;
}

/**
 * Where the record was first read: its own coordinates on a source topic, the origin headers on a tier
 * (written on the first hop and kept on every later one, DLQ replays included).
 */
export function originOf(place: RecordPlace): RecordOrigin {
  const own = { topic: place.topic, partition: place.partition, offset: place.message.offset };
  if (!place.fromTier) return own;
  const headers = place.message.headers;
  const topic = headerText(headers, RetryHeaders.originalTopic);
  const partition = headerInteger(headers, RetryHeaders.originalPartition);
  const offset = headerText(headers, RetryHeaders.originalOffset);
  return topic !== undefined && partition !== undefined && offset !== undefined
    ? { topic, partition, offset }
    : own;
}
