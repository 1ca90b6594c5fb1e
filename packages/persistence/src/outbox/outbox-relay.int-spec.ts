import { randomBytes } from 'node:crypto';
import type { EncodedRecord } from '@tributary/kafka';
import { metrics } from '@tributary/observability';
import {
  createDataSource,
  namesFor,
  Outbox,
  OutboxRelay,
  type OutboxRelayOptions,
  type RelayEvent,
} from '../index.js';
import { waitFor } from '@tributary/testkit';
import { createTestSchema, type TestSchema } from '../../test/support/database.js';
import { gate } from '../../test/support/env.js';
import { interleaved, MemorySink, testRecord } from '../../test/support/records.js';

describe('OutboxRelay (in-memory sink)', () => {
  let db: TestSchema;
  const outbox = new Outbox();
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    db = await createTestSchema('relay');
  });
  const cleanups: Array<() => void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
    await db.admin.query(`TRUNCATE "${db.schema}".outbox`);
  });
  afterAll(async () => {
    await db?.dispose();
  });

  function relay(overrides: Partial<OutboxRelayOptions> & { sink: MemorySink }, events: RelayEvent[] = []) {
    const created = new OutboxRelay({
      dataSource: db.dataSource,
      batchSize: 50,
      pollIntervalMs: 60_000,
      retryInitialMs: 10,
      retryMaxMs: 50,
      onEvent: (event) => events.push(event),
      ...overrides,
    });
    relays.push(created);
    return created;
  }

  async function write(records: readonly EncodedRecord[], writer = outbox): Promise<void> {
    await db.dataSource.transaction((manager) => writer.add(manager, records));
  }

  async function unpublished(): Promise<number> {
    const { rows } = await db.admin.query(
      `SELECT count(*)::int AS n FROM "${db.schema}".outbox WHERE published_at IS NULL`,
    );
    return rows[0].n;
  }

  const ids = (records: readonly EncodedRecord[]) => records.map((record) => record.eventId);

  /** Event ids in the order they were first handed to a sink; later copies are duplicates. */
  function firstCopies(records: readonly EncodedRecord[]): string[] {
    return [...new Set(ids(records))];
  }

  it('publishes the backlog in id order, in batches, and marks every row published', async () => {
    const records = interleaved('orders.v1', 5, 40);
    await write(records);
    const sink = new MemorySink();
    relay({ sink }).start();
    await waitFor(async () => (await unpublished()) === 0, { message: 'backlog published' });
    expect(ids(sink.records)).toEqual(ids(records));
    expect(sink.batches.every((batch) => batch.length <= 50)).toBe(true);
    expect(sink.batches.length).toBe(4);
    expect(sink.records[0]).toEqual(records[0]);
  });

  it('hands values over byte for byte, whatever the bytes', async () => {
    const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const records = [
      { ...testRecord('orders.v1', 'bin', 0), value: everyByte },
      { ...testRecord('orders.v1', 'bin', 1), value: randomBytes(4096) },
      { ...testRecord('orders.v1', 'bin', 2), value: Buffer.alloc(0) },
    ];
    await write(records);
    const sink = new MemorySink();
    relay({ sink }).start();
    await waitFor(() => sink.records.length === records.length);
    expect(sink.records.map((record) => record.value.toString('hex'))).toEqual(
      records.map((record) => record.value.toString('hex')),
    );
    expect(sink.records.map((record) => record.headers)).toEqual(records.map((record) => record.headers));
  });

  it('bounds batches by bytes too, always sending at least one row', async () => {
    const big = testRecord('orders.v1', 'big', 0, 10_000);
    const records = [
      ...interleaved('orders.v1', 2, 5, 1000),
      big,
      ...interleaved('orders.v1', 1, 2, 1000, 'tail'),
    ];
    await write(records);
    const sink = new MemorySink();
    relay({ sink, maxBatchBytes: 3500 }).start();
    await waitFor(async () => (await unpublished()) === 0);
    expect(ids(sink.records)).toEqual(ids(records));
    expect(sink.batches.map((batch) => batch.length)).toEqual([3, 3, 3, 1, 1, 2]);
  });

  it('is woken by NOTIFY on commit, long before its polling interval', async () => {
    const sink = new MemorySink();
    relay({ sink, pollIntervalMs: 600_000 }).start();
    await write([testRecord('orders.v1', 'a', 0)]);
    await waitFor(() => sink.records.length === 1, { message: 'first row' });
    // The relay is idle now and would not look again for ten minutes without a notification.
    await write([testRecord('orders.v1', 'a', 1)]);
    await waitFor(() => sink.records.length === 2, { message: 'row announced by NOTIFY', timeoutMs: 20_000 });
  });

  it('finds rows written without NOTIFY by polling', async () => {
    const sink = new MemorySink();
    relay({ sink, pollIntervalMs: 50 }).start();
    await write([testRecord('orders.v1', 'a', 0)], new Outbox({ notify: false }));
    await waitFor(() => sink.records.length === 1, { message: 'row found by polling' });
  });

  it('keeps rows unpublished while the sink fails and delivers them all once it recovers', async () => {
    const records = interleaved('orders.v1', 3, 30);
    await write(records);
    const sink = new MemorySink();
    sink.failuresLeft = 4;
    // The second send waits until the rows were counted: the relay's retries take milliseconds, so without
    // this a busy machine may count them only after the recovery.
    const counted = gate();
    sink.onSend = () => {
      if (sink.failuresLeft === 3) sink.hold = counted.promise;
    };
    const events: RelayEvent[] = [];
    relay({ sink }, events).start();
    await waitFor(() => events.some((event) => event.type === 'sink-failed'));
    expect(await unpublished()).toBe(records.length);
    counted.open();
    await waitFor(async () => (await unpublished()) === 0, { message: 'recovery' });
    expect(events.filter((event) => event.type === 'sink-failed')).toHaveLength(4);
    // Failed sends delivered nothing here, so every row arrived exactly once, in order.
    expect(ids(sink.records)).toEqual(ids(records));
  });

  it('finishes the batch in flight on stop() and then publishes nothing more', async () => {
    const records = interleaved('orders.v1', 2, 50);
    await write(records);
    const sink = new MemorySink();
    const held = gate();
    const sending = gate<readonly EncodedRecord[]>();
    sink.hold = held.promise;
    sink.onSend = (batch) => sending.open(batch);
    const stopping = relay({ sink, batchSize: 10 });
    stopping.start();
    const inFlight = await sending.promise;
    const stopped = stopping.stop();
    held.open();
    await stopped;
    expect(stopping.active).toBe(false);
    expect(ids(sink.records)).toEqual(ids(inFlight));
    expect(await unpublished()).toBe(records.length - inFlight.length);
    // The lock is free again: another relay takes over and finishes the job.
    const next = new MemorySink();
    relay({ sink: next }).start();
    await waitFor(async () => (await unpublished()) === 0);
    expect(ids([...sink.records, ...next.records])).toEqual(ids(records));
  });

  it('waits as a standby while another session holds the lock, and reports the backlog meanwhile', async () => {
    const names = namesFor(db.schema);
    await db.admin.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [names.relayLockName]);
    const records = interleaved('orders.v1', 2, 5);
    await write(records);
    const sink = new MemorySink();
    const events: RelayEvent[] = [];
    const standby = relay({ sink, metricsIntervalMs: 20 }, events);
    standby.start();
    await waitFor(() => events.some((event) => event.type === 'standby'));
    const label = names.metricLabel;
    const gauge = async (g: typeof metrics.outboxPending) =>
      (await g.get()).values.find((value) => value.labels['outbox'] === label)?.value;
    await waitFor(async () => (await gauge(metrics.outboxPending)) === records.length, {
      message: 'pending gauge',
    });
    const oldest = await gauge(metrics.outboxOldestPendingCreated);
    const { rows } = await db.admin.query(
      `SELECT extract(epoch FROM min(created_at))::float8 AS t FROM "${db.schema}".outbox`,
    );
    expect(oldest).toBeCloseTo(rows[0].t, 3);
    expect(standby.active).toBe(false);
    expect(sink.records).toHaveLength(0);

    const publishedCount = async () =>
      (await metrics.outboxPublishDuration.get()).values.find(
        (value) => value.labels['outbox'] === label && value.metricName?.endsWith('_count'),
      )?.value ?? 0;
    const countBefore = await publishedCount();
    await db.admin.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [names.relayLockName]);
    await waitFor(() => standby.active, { message: 'takeover' });
    await waitFor(async () => (await gauge(metrics.outboxPending)) === 0, { message: 'pending back to 0' });
    // Nothing pending: the oldest row is "now" (age 0), not a missing series.
    expect(await gauge(metrics.outboxOldestPendingCreated)).toBeGreaterThan(rows[0].t);
    expect(ids(sink.records)).toEqual(ids(records));
    const active = (await metrics.outboxRelayActive.get()).values.find(
      (value) => value.labels['outbox'] === label,
    );
    expect(active?.value).toBe(1);
    expect((await publishedCount()) - countBefore).toBe(records.length);
  });

  it('lets exactly one of two relays publish, and fails over when its connection dies mid-send', async () => {
    const records = interleaved('orders.v1', 10, 100);
    await write(records);
    // Both relays deliver into one list, in arrival order. A's third send hangs until the test lets it go:
    // A's connection is killed while that batch is in flight, the case where a dead relay still delivers.
    const delivered: EncodedRecord[] = [];
    const aHolding = gate();
    const releaseA = gate();
    let aSends = 0;
    const sinkA = new MemorySink();
    sinkA.send = async (batch) => {
      if (++aSends === 3) {
        aHolding.open();
        await releaseA.promise;
      }
      delivered.push(...batch);
    };
    const sinkB = new MemorySink();
    sinkB.send = async (batch) => {
      delivered.push(...batch);
    };
    // However this test ends, A's send must not hang its stop() in afterEach.
    cleanups.push(() => releaseA.open());
    const eventsA: RelayEvent[] = [];
    const eventsB: RelayEvent[] = [];
    const a = relay({ sink: sinkA, applicationName: `relay-a-${db.schema}` }, eventsA);
    const b = relay({ sink: sinkB, applicationName: `relay-b-${db.schema}` }, eventsB);
    a.start();
    await waitFor(() => a.active, { message: 'A active' });
    b.start();
    await waitFor(() => eventsB.some((event) => event.type === 'standby'), { message: 'B standby' });
    await aHolding.promise;
    expect(b.active).toBe(false);
    expect(delivered).toHaveLength(100);

    // Kill A's session, as a crashed host or a network cut would.
    const killed = await db.admin.query(
      `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1`,
      [`relay-a-${db.schema}`],
    );
    expect(killed.rows).toEqual([{ done: true }]);
    await waitFor(() => b.active, { message: 'B takes over' });
    // A knows it lost the lock although its send still hangs.
    expect(a.active).toBe(false);
    await waitFor(async () => (await unpublished()) === 0, { message: 'B published everything' });

    // Now A's hanging send lands, late; A cannot mark it and comes back as a standby.
    releaseA.open();
    await waitFor(() => eventsA.some((event) => event.type === 'connection-lost'), { message: 'A notices' });
    await waitFor(() => eventsA.filter((event) => event.type === 'standby').length >= 2, {
      message: 'A standby',
    });
    expect(a.active).toBe(false);
    expect(eventsA.filter((event) => event.type === 'published')).toHaveLength(2);

    // Nothing lost; the first copies kept the id order; A's late batch arrived twice.
    expect(firstCopies(delivered)).toEqual(ids(records));
    expect(delivered).toHaveLength(records.length + 50);

    // Stopping the active relay hands over too.
    await b.stop();
    await waitFor(() => a.active, { message: 'A takes over again' });
  });

  it('retries an unreachable database with growing backoff and stops cleanly meanwhile', async () => {
    const unreachable = createDataSource({
      url: 'postgres://postgres@127.0.0.1:1/nowhere',
      schema: db.schema,
    });
    const events: RelayEvent[] = [];
    const lonely = new OutboxRelay({
      dataSource: unreachable,
      sink: new MemorySink(),
      retryInitialMs: 5,
      retryMaxMs: 5000,
      onEvent: (event) => events.push(event),
    });
    lonely.start();
    const lost = () => events.filter((event) => event.type === 'connection-lost');
    await waitFor(() => lost().length >= 4, { message: 'four failed connection attempts' });
    expect(lost().map((event) => (event as { attempt: number }).attempt)).toEqual(
      Array.from({ length: lost().length }, (_, i) => i + 1),
    );
    // stop() interrupts the retry pause and leaves nothing running.
    await lonely.stop();
    expect(events.at(-1)).toEqual({ type: 'stopped' });
    expect(lonely.active).toBe(false);
  });

  it('deletes published rows past the retention, and only those', async () => {
    const records = interleaved('orders.v1', 1, 6);
    await write(records);
    const sink = new MemorySink();
    relay({ sink }).start();
    await waitFor(async () => (await unpublished()) === 0);
    const [old1, old2, , , unpublishedOld] = records;
    await db.admin.query(
      `UPDATE "${db.schema}".outbox
       SET created_at = now() - interval '3 days', published_at = now() - interval '2 days'
       WHERE event_id = ANY($1::uuid[])`,
      [[old1!.eventId, old2!.eventId]],
    );
    await db.admin.query(
      `UPDATE "${db.schema}".outbox SET created_at = now() - interval '3 days', published_at = NULL
       WHERE event_id = $1`,
      [unpublishedOld!.eventId],
    );
    const events: RelayEvent[] = [];
    await relays.splice(0).pop()!.stop();
    // A sink that never acks keeps the unpublished old row unpublished while cleanup runs.
    const stuck = new MemorySink();
    const never = gate();
    stuck.hold = never.promise;
    relay({ sink: stuck, retentionMs: 24 * 3600_000, cleanupIntervalMs: 20 }, events);
    relays[0]!.start();
    await waitFor(() => events.some((event) => event.type === 'cleanup'), { message: 'cleanup' });
    const { rows } = await db.admin.query(`SELECT event_id FROM "${db.schema}".outbox ORDER BY id`);
    expect(rows.map((row) => row.event_id)).toEqual(ids(records.slice(2)));
    expect(events.find((event) => event.type === 'cleanup')).toEqual({ type: 'cleanup', deleted: 2 });
    // stop() waits for the batch in flight.
    never.open();
  });

  it('spreads shards over relays, keeps each key on one publisher, and takes a stopped relay’s shards', async () => {
    const records = interleaved('orders.v1', 40, 10);
    const delivered: EncodedRecord[] = [];
    const publishersOfKey = new Map<string, Set<number>>();
    const sinks = [new MemorySink(), new MemorySink()];
    sinks.forEach((sink, index) => {
      sink.send = async (batch) => {
        delivered.push(...batch);
        for (const record of batch) {
          publishersOfKey.set(record.key, (publishersOfKey.get(record.key) ?? new Set()).add(index));
        }
      };
    });
    const a = relay({ sink: sinks[0]!, shards: 4, claimIntervalMs: 20, pollIntervalMs: 50 });
    const b = relay({ sink: sinks[1]!, shards: 4, claimIntervalMs: 20, pollIntervalMs: 50 });
    a.start();
    await waitFor(() => a.heldShards.length === 4, { message: 'A alone holds every shard' });
    b.start();
    await waitFor(() => a.heldShards.length === 2 && b.heldShards.length === 2, { message: 'two each' });
    expect([...a.heldShards, ...b.heldShards].sort()).toEqual([0, 1, 2, 3]);
    await write(records);
    await waitFor(async () => (await unpublished()) === 0, { message: 'all published' });
    // Nothing was killed: every row once, and each key's rows in id order.
    expect(delivered).toHaveLength(records.length);
    for (let k = 0; k < 40; k++) {
      const ofKey = (list: readonly EncodedRecord[]) => ids(list.filter((r) => r.key === `key-${k}`));
      expect(ofKey(delivered)).toEqual(ofKey(records));
    }
    expect([...publishersOfKey.values()].every((publishers) => publishers.size === 1)).toBe(true);
    // Both relays published: the work was spread.
    expect(new Set([...publishersOfKey.values()].flatMap((publishers) => [...publishers]))).toEqual(
      new Set([0, 1]),
    );
    await a.stop();
    await waitFor(() => b.heldShards.length === 4, { message: 'B takes A’s shards' });
  });

  it('starts over when one shard’s statement fails on a live session, instead of leaving the other shards locked', async () => {
    // One key's marks are refused by the database: its shard's publisher fails while the session and the
    // other shards' publishers are healthy. The relay must give every shard up and start again.
    const fn = `"${db.schema}".refuse_mark`;
    await db.admin.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.key = 'key-0' AND NEW.published_at IS NOT NULL THEN RAISE EXCEPTION 'mark refused'; END IF;
        RETURN NEW;
      END $$`);
    await db.admin.query(
      `CREATE TRIGGER refuse_mark BEFORE UPDATE ON "${db.schema}".outbox FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
    );
    cleanups.push(() => {
      void db.admin.query(`DROP FUNCTION IF EXISTS ${fn}() CASCADE`);
    });
    const records = interleaved('orders.v1', 20, 10);
    const sink = new MemorySink();
    const events: RelayEvent[] = [];
    relay({ sink, shards: 4, claimIntervalMs: 20, pollIntervalMs: 50 }, events).start();
    await write(records);

    await waitFor(() => events.some((event) => event.type === 'connection-lost'), {
      message: 'the relay gives its shards up and starts over',
    });
    await db.admin.query(`DROP TRIGGER refuse_mark ON "${db.schema}".outbox`);
    await waitFor(async () => (await unpublished()) === 0, {
      message: 'every row published once marks pass',
    });

    // Nothing lost; each key's first copies in id order (resends of the refused key are duplicates).
    for (let k = 0; k < 20; k++) {
      const ofKey = (list: readonly EncodedRecord[]) => ids(list.filter((r) => r.key === `key-${k}`));
      expect([...new Set(ofKey(sink.records))]).toEqual(ofKey(records));
    }
  });

  it('publishes nothing while relays of another shard count are alive, then takes over', async () => {
    const events: RelayEvent[] = [];
    const old = relay({ sink: new MemorySink(), shards: 4, claimIntervalMs: 20 });
    old.start();
    await waitFor(() => old.heldShards.length === 4, { message: 'the 4-shard relay holds its shards' });
    const next = relay({ sink: new MemorySink(), shards: 2, claimIntervalMs: 20 }, events);
    next.start();
    await waitFor(() => events.some((event) => event.type === 'layout-conflict'), {
      message: 'conflict seen',
    });
    expect(events.find((event) => event.type === 'layout-conflict')).toEqual({
      type: 'layout-conflict',
      reason: 'other-shard-count',
    });
    expect(next.heldShards).toEqual([]);
    // The old layout's holder stays unaffected, and a relay of its own count may still join it.
    expect(old.heldShards).toHaveLength(4);
    await old.stop();
    await waitFor(() => next.heldShards.length === 2, { message: 'the 2-shard relay takes over' });
    expect(next.active).toBe(true);
  });
});
