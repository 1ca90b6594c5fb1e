import { jest } from '@jest/globals';
import type { EndpointDeclaration, ShapeObservation } from './observation.js';
import { ShapeObserver } from './observer.js';
import { canonicalShape, shapeOf } from './shape.js';
import type { ShapeObserverOptions } from './observer.js';

const A = { id: 'pi_1', amount: 100 };
const B = { id: 'pi_1', amount: '100' };
const C = { id: 'pi_1', amount: 100, captured: true };

interface Harness {
  readonly observer: ShapeObserver;
  readonly sent: (readonly ShapeObservation[])[];
  readonly redact: jest.Mock<ShapeObserverOptions['redact']>;
  readonly send: jest.Mock<ShapeObserverOptions['send']>;
  readonly onSendError: jest.Mock<(error: unknown) => void>;
  /** Sets the injected clock (epoch ms). */
  at(ms: number): void;
}

function harness(
  declarations: Record<string, EndpointDeclaration> = {},
  overrides: Partial<ShapeObserverOptions> = {},
): Harness {
  let now = 0;
  const sent: (readonly ShapeObservation[])[] = [];
  const redact = jest.fn<ShapeObserverOptions['redact']>((value) => value);
  const send = jest.fn<ShapeObserverOptions['send']>(async (observations) => {
    sent.push(observations);
  });
  const onSendError = jest.fn<(error: unknown) => void>();
  const observer = new ShapeObserver({
    surface: 'response',
    observer: 'connector-payments',
    declarationOf: (provider, endpoint) => declarations[`${provider}:${endpoint}`],
    redact,
    send,
    onSendError,
    flushIntervalMs: 1_000,
    now: () => now,
    ...overrides,
  });
  return { observer, sent, redact, send, onSendError, at: (ms) => (now = ms) };
}

/** A body as an example shows it when nothing is declared: every string masked. */
const masked = (body: unknown): unknown =>
  JSON.parse(JSON.stringify(body), (_, value: unknown) => (typeof value === 'string' ? '<string>' : value));

/** Runs with shape names instead of hashes, so an expectation reads like the samples. */
function runsByName(observation: ShapeObservation, names: Record<string, unknown>) {
  const nameOf = new Map(
    observation.shapes.map((shape) => {
      const name = Object.entries(names).find(
        ([, body]) => canonicalShape(shapeOf(body), shape.status, '').hash === shape.hash,
      );
      return [shape.hash, name?.[0] ?? shape.hash] as const;
    }),
  );
  return observation.runs.map((run) => `${nameOf.get(run.hash)}×${run.count}`);
}

describe('ShapeObserver', () => {
  afterEach(() => jest.useRealTimers());

  it('counts consecutive samples of one shape as a run, in the order they came', async () => {
    const { observer, sent } = harness();
    for (const body of [A, A, B, A]) observer.observe('stripe', 'payment_intents.create', 200, body);
    await observer.flush();

    expect(sent).toHaveLength(1);
    const [observation] = sent[0]!;
    expect(runsByName(observation!, { A, B })).toEqual(['A×2', 'B×1', 'A×1']);
    expect(observation!.shapes).toHaveLength(2);
    expect(new Set(observation!.shapes.map((shape) => shape.hash))).toEqual(
      new Set(observation!.runs.map((run) => run.hash)),
    );
  });

  it('sends one observation per endpoint per flush, and nothing when nothing came', async () => {
    const { observer, sent, send } = harness();
    observer.observe('stripe', 'payment_intents.create', 200, A);
    observer.observe('stripe', 'payment_intents.retrieve', 200, A);
    observer.observe('stripe', 'payment_intents.create', 200, A);
    observer.observe('easypost', 'shipments.create', 201, A);
    await observer.flush();

    expect(sent).toHaveLength(1);
    expect(sent[0]!.map((o) => `${o.provider} ${o.endpoint} ${o.runs.map((r) => r.count).join()}`)).toEqual([
      'stripe payment_intents.create 2',
      'stripe payment_intents.retrieve 1',
      'easypost shipments.create 1',
    ]);

    await observer.flush();
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('dates the window with the injected clock and names the surface and observer', async () => {
    const { observer, sent, at } = harness();
    at(1_000);
    observer.observe('stripe', 'payment_intents.create', 200, A);
    at(1_750);
    observer.observe('stripe', 'payment_intents.create', 200, B);
    at(9_999);
    await observer.flush();

    expect(sent[0]![0]).toMatchObject({
      provider: 'stripe',
      surface: 'response',
      endpoint: 'payment_intents.create',
      observer: 'connector-payments',
      windowStart: new Date(1_000),
      windowEnd: new Date(1_750),
    });
  });

  it('keeps the status in the shape: one body answered 200 and 402 is two shapes', async () => {
    const { observer, sent } = harness();
    observer.observe('stripe', 'payment_intents.confirm', 200, A);
    observer.observe('stripe', 'payment_intents.confirm', 402, A);
    await observer.flush();

    const [observation] = sent[0]!;
    expect(observation!.shapes.map((shape) => shape.status)).toEqual([200, 402]);
    expect(observation!.runs).toHaveLength(2);
  });

  it('compiles the declaration: enums from `enums` and value-bearing reliances, personal data kept out', async () => {
    const declaration: EndpointDeclaration = {
      enums: ['$.status'],
      reliesOn: [
        { path: '$.next_action.type', values: ['redirect_to_url'], usedBy: 'connector-payments: confirm.ts' },
        { path: '$.id', usedBy: 'connector-payments: create.ts' },
      ],
      personalData: ['$.receipt_email'],
    };
    const { observer, sent, redact } = harness({ 'stripe:payment_intents.confirm': declaration });
    observer.observe('stripe', 'payment_intents.confirm', 200, {
      id: 'pi_1',
      status: 'requires_action',
      next_action: { type: 'use_stripe_sdk' },
      currency: 'eur',
      receipt_email: 'ada@example.com',
    });
    await observer.flush();

    const [observation] = sent[0]!;
    expect(observation!.shapes[0]!.enums).toEqual([
      { path: '$.next_action.type', value: 'use_stripe_sdk' },
      { path: '$.status', value: 'requires_action' },
    ]);
    expect(observation!.declaration).toEqual({ enums: declaration.enums, reliesOn: declaration.reliesOn });
    expect(redact).toHaveBeenCalledTimes(1);
    expect(redact.mock.calls[0]![1]).toEqual(['$.receipt_email']);
  });

  it('sends an empty declaration for an endpoint the definition says nothing about', async () => {
    const { observer, sent, redact } = harness();
    observer.observe('stripe', 'refunds.create', 200, A);
    await observer.flush();

    expect(sent[0]![0]!.declaration).toEqual({});
    expect(redact.mock.calls[0]![1]).toEqual([]);
  });

  it('takes a body that is not JSON (text, empty) as a sample of its own, ignores none at all, observes arrays', async () => {
    const { observer, send, sent } = harness();
    observer.observe('stripe', 'payment_intents.create', 204, undefined);
    await observer.flush();
    expect(send).not.toHaveBeenCalled();

    for (const body of ['', '<html>Gone</html>'])
      observer.observe('stripe', 'payment_intents.create', 410, body);
    await observer.flush();
    expect(sent[0]![0]!.runs).toEqual([{ hash: sent[0]![0]!.shapes[0]!.hash, count: 2 }]);
    expect(sent[0]![0]!.shapes[0]).toMatchObject({ status: 410, fields: [{ path: '$', type: 'string' }] });
    sent.length = 0;

    observer.observe('stripe', 'payment_intents.list', 200, [A]);
    await observer.flush();
    expect(sent[0]![0]!.shapes[0]!.fields[0]).toEqual({ path: '$', type: 'array' });
  });

  it('redacts and keeps an example only for a shape new to the process', async () => {
    const { observer, sent, redact } = harness();
    observer.observe('stripe', 'payment_intents.create', 200, A);
    observer.observe('stripe', 'payment_intents.create', 200, { id: 'pi_2', amount: 5 });
    await observer.flush();
    observer.observe('stripe', 'payment_intents.create', 200, { id: 'pi_3', amount: 7 });
    expect(redact).toHaveBeenCalledTimes(1);

    observer.observe('stripe', 'payment_intents.create', 200, B);
    expect(redact).toHaveBeenCalledTimes(2);
    await observer.flush();
    expect(sent.map((observations) => observations[0]!.shapes.map((shape) => shape.example))).toEqual([
      [JSON.stringify(masked(A))],
      [JSON.stringify(masked(A)), JSON.stringify(masked(B))],
    ]);
  });

  it('gives an endpoint an example of its own samples, redacted its way, when another sent the shape first', async () => {
    const { observer, sent, redact } = harness({
      'hubspot:contacts.get': {
        reliesOn: [{ path: '$.name', usedBy: 'connector-crm: src/crm.connector.ts contactOf' }],
        personalData: ['$.name'],
      },
    });
    observer.observe('stripe', 'customers.get', 200, { id: 'cus_1', name: 'Acme Ltd' });
    observer.observe('hubspot', 'contacts.get', 200, { id: '901', name: 'Ada Lovelace' });
    await observer.flush();

    expect(redact.mock.calls.map(([, personalData]) => personalData)).toEqual([[], ['$.name']]);
    const [stripe, hubspot] = sent[0]!;
    expect(hubspot!.shapes[0]!.hash).toBe(stripe!.shapes[0]!.hash);
    // Only the relied-on string is kept (then left to the redactor, here one that changes nothing).
    expect(JSON.parse(hubspot!.shapes[0]!.example)).toEqual({ id: '<string>', name: 'Ada Lovelace' });
    expect(JSON.parse(stripe!.shapes[0]!.example)).toEqual({ id: '<string>', name: '<string>' });
  });

  it('keeps the samples of a failed send and sends them first, merged in order, with the next window', async () => {
    const failure = new Error('outbox unavailable');
    const { observer, sent, send, onSendError, at } = harness();
    send.mockRejectedValueOnce(failure);
    at(1_000);
    observer.observe('stripe', 'payment_intents.create', 200, B);
    observer.observe('stripe', 'payment_intents.create', 200, A);
    observer.observe('stripe', 'payment_intents.create', 200, A);
    await observer.flush();
    expect(onSendError).toHaveBeenCalledWith(failure);
    expect(sent).toHaveLength(0);

    at(2_000);
    observer.observe('stripe', 'payment_intents.create', 200, A);
    observer.observe('stripe', 'payment_intents.create', 200, C);
    observer.observe('stripe', 'payment_intents.retrieve', 200, A);
    await observer.flush();

    expect(sent).toHaveLength(1);
    const [create, retrieve] = sent[0]!;
    expect(runsByName(create!, { A, B, C })).toEqual(['B×1', 'A×3', 'C×1']);
    expect(create!.shapes).toHaveLength(3);
    expect(create!.windowStart).toEqual(new Date(1_000));
    expect(create!.windowEnd).toEqual(new Date(2_000));
    expect(retrieve!.runs).toEqual([{ hash: create!.runs[1]!.hash, count: 1 }]);
  });

  it('keeps the samples when the error callback itself throws', async () => {
    const { observer, sent, send } = harness(
      {},
      {
        onSendError: () => {
          throw new Error('logger closed');
        },
      },
    );
    send.mockRejectedValueOnce(new Error('outbox unavailable'));
    observer.observe('stripe', 'payment_intents.create', 200, A);
    await expect(observer.flush()).resolves.toBeUndefined();

    await observer.flush();
    expect(sent[0]![0]!.runs.map((run) => run.count)).toEqual([1]);
  });

  it('gives up the oldest runs, and shapes no kept run names, of a window that cannot be sent', async () => {
    const { observer, sent, send } = harness();
    send.mockRejectedValueOnce(new Error('outbox unavailable'));
    observer.observe('stripe', 'payment_intents.create', 200, C);
    for (let i = 0; i < 5_000; i++) observer.observe('stripe', 'payment_intents.create', 200, i % 2 ? A : B);
    await observer.flush();
    await observer.flush();

    const [observation] = sent[0]!;
    expect(observation!.runs).toHaveLength(5_000);
    expect(runsByName(observation!, { A, B, C }).slice(0, 2)).toEqual(['B×1', 'A×1']);
    expect(observation!.shapes.map((shape) => JSON.parse(shape.example))).toEqual([masked(B), masked(A)]);
  });

  it('sends once for concurrent flushes', async () => {
    const { observer, send } = harness();
    let release!: () => void;
    send.mockImplementationOnce(() => new Promise<void>((resolve) => (release = resolve)));
    observer.observe('stripe', 'payment_intents.create', 200, A);

    const first = observer.flush();
    const second = observer.flush();
    expect(second).toBe(first);
    release();
    await Promise.all([first, second]);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('flushes every interval once started, and stop() sends the last window', async () => {
    jest.useFakeTimers();
    const { observer, sent } = harness();
    observer.start();
    observer.observe('stripe', 'payment_intents.create', 200, A);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(sent).toHaveLength(1);

    observer.observe('stripe', 'payment_intents.create', 200, B);
    await observer.stop();
    expect(sent).toHaveLength(2);
    expect(sent[1]![0]!.shapes.map((shape) => shape.example)).toEqual([JSON.stringify(masked(B))]);

    observer.observe('stripe', 'payment_intents.create', 200, A);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(sent).toHaveLength(2);
  });

  it('waits for a flush under way before sending the last window on stop()', async () => {
    const { observer, sent, send } = harness();
    let release!: () => void;
    send.mockImplementationOnce(async (observations) => {
      await new Promise<void>((resolve) => (release = resolve));
      sent.push(observations);
    });
    observer.observe('stripe', 'payment_intents.create', 200, A);
    const flushing = observer.flush();
    observer.observe('stripe', 'payment_intents.create', 200, B);
    const stopping = observer.stop();
    release();
    await Promise.all([flushing, stopping]);

    expect(sent.map((observations) => observations[0]!.runs.length)).toEqual([1, 1]);
    expect(send).toHaveBeenCalledTimes(2);
  });
});
