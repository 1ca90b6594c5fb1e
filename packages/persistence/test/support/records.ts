import { randomUUID } from 'node:crypto';
import type { EncodedRecord, RecordSink } from '@tributary/kafka';

/** A record whose value names its key and per-key sequence, so order can be checked after the trip. */
export function testRecord(topic: string, key: string, seq: number, size = 64): EncodedRecord {
  const label = `${key}:${seq}:`;
  const value = Buffer.alloc(Math.max(size, label.length), 0x2e);
  value.write(label, 0, 'utf8');
  const eventId = randomUUID();
  return {
    topic,
    key,
    value,
    headers: { ce_id: eventId, ce_subject: key, ce_type: 'test.thing.happened', seq: String(seq) },
    eventId,
  };
}

/** Records for `keys` keys, `perKey` each, interleaved the way concurrent aggregates would write them. */
export function interleaved(
  topic: string,
  keys: number,
  perKey: number,
  size = 64,
  keyPrefix = 'key',
): EncodedRecord[] {
  const records: EncodedRecord[] = [];
  for (let seq = 0; seq < perKey; seq++) {
    for (let k = 0; k < keys; k++) records.push(testRecord(topic, `${keyPrefix}-${k}`, seq, size));
  }
  return records;
}

export function parseLabel(value: Buffer): { key: string; seq: number } {
  const [key, seq] = value.toString('utf8').split(':');
  return { key: key!, seq: Number(seq) };
}

/**
 * Checks what a consumer saw: every expected (key, seq) arrived, and per key the first copies arrived in
 * sequence order. Duplicates are allowed (at-least-once), losses and reorderings are not.
 */
export function checkPerKeyOrder(
  received: ReadonlyArray<{ key: string; seq: number }>,
  expectedPerKey: ReadonlyMap<string, number>,
): { missing: string[]; outOfOrder: string[]; duplicates: number } {
  const seen = new Map<string, Set<number>>();
  const lastFirstSeq = new Map<string, number>();
  const outOfOrder: string[] = [];
  let duplicates = 0;
  for (const { key, seq } of received) {
    const set = seen.get(key) ?? new Set<number>();
    seen.set(key, set);
    if (set.has(seq)) {
      duplicates++;
      continue;
    }
    set.add(seq);
    const previous = lastFirstSeq.get(key) ?? -1;
    if (seq !== previous + 1) outOfOrder.push(`${key}: ${seq} after ${previous}`);
    lastFirstSeq.set(key, Math.max(previous, seq));
  }
  const missing: string[] = [];
  for (const [key, count] of expectedPerKey) {
    for (let seq = 0; seq < count; seq++) if (!seen.get(key)?.has(seq)) missing.push(`${key}:${seq}`);
  }
  return { missing, outOfOrder, duplicates };
}

/** A sink that keeps what it was given, and can be told to fail or to hold a send open. */
export class MemorySink implements RecordSink {
  readonly batches: EncodedRecord[][] = [];
  failuresLeft = 0;
  hold: Promise<void> | undefined;
  onSend: ((records: readonly EncodedRecord[]) => void) | undefined;

  get records(): EncodedRecord[] {
    return this.batches.flat();
  }

  async send(records: readonly EncodedRecord[]): Promise<void> {
    this.onSend?.(records);
    if (this.hold) await this.hold;
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('sink unavailable (test)');
    }
    this.batches.push([...records]);
  }
}
