import type * as JestGlobals from '@jest/globals';
import { idempotencyKeyFor } from '../http/idempotency-key.js';

/** One idempotency key as the provider simulator's ledger reports it. */
export interface LedgerEntry {
  readonly idempotencyKey: string;
  readonly route: string;
  readonly requests: number;
  readonly effects: number;
  /** The provider's object the key's effect made (the simulator reports it), e.g. `pi_…`. */
  readonly objectId?: string;
}

/** The provider simulator as the suite drives it (apps/provider-sim's admin API fits). */
export interface ConformanceSim {
  /** Faults for the requests carrying one idempotency key on the effect route (see provider-sim). */
  setFault(fault: Record<string, unknown> & { idempotencyKey: string }): Promise<void>;
  clearFaults(): Promise<void>;
  ledger(): Promise<readonly LedgerEntry[]>;
}

/** The connector app under test, as a process on the real stack. */
export interface ConformanceApp {
  /** Starts the app (again) with the same database and consumer group, resolving once it is ready. */
  start(): Promise<void>;
  /** Sends the signal and resolves with the exit code once the process is gone. */
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<{ code: number | null }>;
}

export interface ConformanceHarness {
  readonly sim: ConformanceSim;
  readonly app: ConformanceApp;
  /**
   * Publishes a triggering event with this id (`copies` times: a duplicate delivery) for the aggregate
   * `subject`; the connector must make one effectful provider call for it.
   */
  trigger(options: { eventId: string; subject: string; copies?: number }): Promise<void>;
  /** Publishes bytes that are no event at all on the connector's topic, with this key. */
  publishPoison(key: string): Promise<void>;
  /** Whether the connector committed the event (its inbox row). */
  processed(eventId: string): Promise<boolean>;
  /** Whether the group's DLQ holds a record with this key. */
  inDlq(key: string): Promise<boolean>;
  /** How many events the connector wrote to its outbox as a result of (caused by) this event. */
  outcomes(eventId: string): Promise<number>;
  /** The app's `/metrics` text. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export interface ConnectorConformanceOptions {
  /** The connector's id: the idempotency keys are derived from it and the event id. */
  connectorId: string;
  /** Builds the harness and starts the app once for the suite. */
  setup(): Promise<ConformanceHarness>;
  /** Mints event ids and aggregate ids (UUIDv7 for event ids). */
  newId(): string;
  /** How long one scenario may take to settle. Default 90 s. */
  timeoutMs?: number;
}

/**
 * The connector conformance suite (docs/architecture.md#connectors): registers jest tests proving that a
 * connector app, as a process on the real stack against the provider simulator, turns each event into exactly
 * one effect at the provider through duplicate deliveries, provider faults and a crash between the provider
 * call and the commit. Call it at the top level of an e2e spec.
 */
export function describeConnectorConformance(options: ConnectorConformanceOptions): void {
  // jest's globals, read when the suite is registered: the SDK must load in apps that never run jest.
  const { describe, it, expect, beforeAll, afterAll, afterEach } =
    globalThis as unknown as typeof JestGlobals;
  const timeoutMs = options.timeoutMs ?? 90_000;
  let harness: ConformanceHarness;

  const entryFor = async (key: string) => (await harness.sim.ledger()).find((e) => e.idempotencyKey === key);
  const settled = async (eventId: string) => {
    await until(() => harness.processed(eventId), timeoutMs, `event ${eventId} committed by the connector`);
  };
  const scenario = () => {
    const eventId = options.newId();
    return { eventId, subject: options.newId(), key: idempotencyKeyFor(options.connectorId, eventId) };
  };

  describe(`connector conformance: ${options.connectorId}`, () => {
    beforeAll(async () => {
      harness = await options.setup();
    }, 180_000);
    afterAll(async () => {
      await harness?.close();
    }, 60_000);
    afterEach(async () => {
      await harness.sim.clearFaults();
    });

    it(
      'applies one effect for a duplicated delivery',
      async () => {
        const { eventId, subject, key } = scenario();
        await harness.trigger({ eventId, subject, copies: 3 });
        await settled(eventId);
        // A later event for the same aggregate lands on the same partition: once it is committed, every copy
        // before it has been consumed too.
        const after = options.newId();
        await harness.trigger({ eventId: after, subject });
        await settled(after);
        expect(await entryFor(key)).toMatchObject({ effects: 1 });
        expect(await harness.outcomes(eventId)).toBe(1);
      },
      timeoutMs * 2,
    );

    it(
      'retries provider 5xx answers with the same key, then applies one effect',
      async () => {
        const { eventId, subject, key } = scenario();
        await harness.sim.setFault({ idempotencyKey: key, errorRate: 1, errorStatus: 503, times: 3 });
        await harness.trigger({ eventId, subject });
        await settled(eventId);
        const entry = await entryFor(key);
        expect(entry).toMatchObject({ effects: 1 });
        expect(entry!.requests).toBeGreaterThanOrEqual(4);
        expect(await harness.outcomes(eventId)).toBe(1);
      },
      timeoutMs,
    );

    it(
      'keeps per-key order through provider 5xx: a later event of the aggregate waits for the failing one',
      async () => {
        const first = scenario();
        const second = { eventId: options.newId() };
        const secondKey = idempotencyKeyFor(options.connectorId, second.eventId);
        // More failures than one call's retries: the event goes on failing past its first handling.
        await harness.sim.setFault({ idempotencyKey: first.key, errorRate: 1, errorStatus: 503, times: 6 });
        await harness.trigger({ eventId: first.eventId, subject: first.subject });
        await harness.trigger({ eventId: second.eventId, subject: first.subject });
        await until(
          async () => {
            // The later one first: seen committed while the earlier one is not means it overtook it.
            const laterDone = await harness.processed(second.eventId);
            const earlierDone = await harness.processed(first.eventId);
            if (laterDone && !earlierDone)
              throw new Error('the later event was applied before the earlier one');
            return earlierDone;
          },
          timeoutMs,
          `event ${first.eventId} committed after its provider faults`,
        );
        await settled(second.eventId);
        expect((await entryFor(first.key))!.requests).toBeGreaterThanOrEqual(7);
        expect(await entryFor(first.key)).toMatchObject({ effects: 1 });
        // A connector may find nothing to do for a second event of an aggregate (a label already bought);
        // what it does, it does once.
        expect((await entryFor(secondKey))?.effects ?? 0).toBeLessThanOrEqual(1);
      },
      timeoutMs,
    );

    it(
      'retries after a timeout that lost the answer to an applied effect, and gets the first answer',
      async () => {
        const { eventId, subject, key } = scenario();
        await harness.sim.setFault({ idempotencyKey: key, timeoutRate: 1, times: 1 });
        await harness.trigger({ eventId, subject });
        await settled(eventId);
        const entry = await entryFor(key);
        expect(entry).toMatchObject({ effects: 1 });
        expect(entry!.requests).toBeGreaterThanOrEqual(2);
        expect(await harness.outcomes(eventId)).toBe(1);
      },
      timeoutMs,
    );

    it(
      'waits out a 429 with Retry-After instead of hot-looping',
      async () => {
        const { eventId, subject, key } = scenario();
        await harness.sim.setFault({ idempotencyKey: key, status429Rate: 1, retryAfterSeconds: 2, times: 1 });
        const started = Date.now();
        await harness.trigger({ eventId, subject });
        await settled(eventId);
        const entry = await entryFor(key);
        expect(entry).toMatchObject({ effects: 1, requests: 2 });
        // The one retry came after the provider's Retry-After, not before.
        expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
      },
      timeoutMs,
    );

    it(
      'sends a poison record to the DLQ and keeps the partition moving',
      async () => {
        const { eventId, subject, key } = scenario();
        await harness.publishPoison(subject);
        await harness.trigger({ eventId, subject });
        await settled(eventId);
        await until(() => harness.inDlq(subject), timeoutMs, `poison record ${subject} in the DLQ`);
        expect(await entryFor(key)).toMatchObject({ effects: 1 });
      },
      timeoutMs,
    );

    it(
      'opens the circuit while the provider is down, stops calling it, and recovers when it is back',
      async () => {
        const { eventId, subject, key } = scenario();
        const state = (name: string) =>
          new RegExp(`tributary_circuit_breaker_state\\{name="[^"]+",state="${name}"\\} 1`);
        await harness.sim.setFault({ idempotencyKey: key, errorRate: 1, errorStatus: 503 });
        await harness.trigger({ eventId, subject });
        await until(
          async () => state('open').test(await harness.metrics()),
          timeoutMs,
          'the circuit to open',
        );
        const atOpen = (await entryFor(key))!.requests;
        // An observation window, not a synchronisation: while the breaker is open (shorter than the
        // connector's half-open delay) the paused partition sends nothing.
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        expect((await entryFor(key))!.requests).toBe(atOpen);
        await harness.sim.clearFaults();
        await settled(eventId);
        expect(await entryFor(key)).toMatchObject({ effects: 1 });
        expect(await harness.outcomes(eventId)).toBe(1);
        expect(await harness.metrics()).toMatch(state('closed'));
      },
      timeoutMs,
    );

    it(
      'applies one effect when the connector is SIGKILLed between the provider call and the commit',
      async () => {
        const { eventId, subject, key } = scenario();
        // The provider applies the effect and then holds every answer for it: the connector cannot commit.
        await harness.sim.setFault({ idempotencyKey: key, afterEffectDelayMs: 600_000 });
        await harness.trigger({ eventId, subject });
        await until(async () => (await entryFor(key))?.effects === 1, timeoutMs, `effect for ${key} applied`);
        expect(await harness.processed(eventId)).toBe(false);
        await harness.app.kill('SIGKILL');
        await harness.sim.clearFaults();
        await harness.app.start();
        await settled(eventId);
        const entry = await entryFor(key);
        expect(entry).toMatchObject({ effects: 1 });
        expect(entry!.requests).toBeGreaterThanOrEqual(2);
        expect(await harness.outcomes(eventId)).toBe(1);
      },
      timeoutMs * 2,
    );

    it(
      'drains and exits 0 on SIGTERM, and picks up where it left off',
      async () => {
        expect(await harness.app.kill('SIGTERM')).toEqual({ code: 0 });
        const { eventId, subject, key } = scenario();
        await harness.trigger({ eventId, subject });
        await harness.app.start();
        await settled(eventId);
        expect(await entryFor(key)).toMatchObject({ effects: 1 });
      },
      timeoutMs,
    );
  });
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
