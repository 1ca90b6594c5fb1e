import { ShapeChanges, reshape, shapeChangeSchema } from './shape-changes.js';
import type { ShapeChange } from './shape-changes.js';
import type { ProducedEvent } from './webhooks.js';

const ROUTE = 'POST /v1/payment_intents';

const change = (fields: Partial<ShapeChange> & Record<string, unknown>): ShapeChange =>
  shapeChangeSchema.parse({ provider: 'stripe', response: ROUTE, ...fields });

const intent = () => ({
  id: 'pi_1',
  amount: 1500,
  status: 'succeeded',
  metadata: {},
  last_payment_error: null,
  charges: {
    data: [
      { id: 'ch_1', status: 'succeeded' },
      { id: 'ch_2', status: 'failed' },
    ],
  },
});

describe('shape changes, the operations on a body', () => {
  it('drops members, nested members and array elements (removed, not left as null)', () => {
    const body = reshape(intent(), { drop: ['amount', 'charges.data.0', 'metadata'], set: [] });
    expect(body).toEqual({
      id: 'pi_1',
      status: 'succeeded',
      last_payment_error: null,
      charges: { data: [{ id: 'ch_2', status: 'failed' }] },
    });
  });

  it('sets values: a new field, a number turned into a string, a new enum value inside an array', () => {
    const body = reshape(intent(), {
      drop: [],
      set: [
        { path: 'amount', value: '1500' },
        { path: 'risk_level', value: 'elevated' },
        { path: 'charges.data.1.status', value: 'disputed' },
      ],
    });
    expect(body).toMatchObject({
      amount: '1500',
      risk_level: 'elevated',
      charges: { data: [{ status: 'succeeded' }, { id: 'ch_2', status: 'disputed' }] },
    });
  });

  it('creates missing or null parents as objects, appends at the array length, and skips paths through scalars', () => {
    const body = reshape(intent(), {
      drop: [],
      set: [
        { path: 'shipping.address.country', value: 'DE' },
        { path: 'last_payment_error.code', value: 'card_declined' },
        { path: 'charges.data.2', value: { id: 'ch_3' } },
        { path: 'charges.data.9', value: { id: 'ch_far' } },
        { path: 'status.deep', value: 1 },
      ],
    }) as ReturnType<typeof intent> & Record<string, unknown>;
    expect(body.shipping).toEqual({ address: { country: 'DE' } });
    expect(body.last_payment_error).toEqual({ code: 'card_declined' });
    expect(body.charges.data.map((charge) => charge.id)).toEqual(['ch_1', 'ch_2', 'ch_3']);
    expect(body.status).toBe('succeeded');
  });

  it('drops before it sets, so one change can replace a field by another name', () => {
    const body = reshape(intent(), { drop: ['amount'], set: [{ path: 'amount_cents', value: 1500 }] });
    expect(body).not.toHaveProperty('amount');
    expect(body).toHaveProperty('amount_cents', 1500);
  });

  it('ignores drops of paths that are not there', () => {
    expect(
      reshape(intent(), { drop: ['nope', 'charges.data.7', 'charges.data.x', 'id.x'], set: [] }),
    ).toEqual(intent());
  });
});

describe('shape changes, validation', () => {
  const accepted = (body: Record<string, unknown>) => shapeChangeSchema.safeParse(body).success;

  it('takes a response or a webhook target, not both nor neither', () => {
    expect(accepted({ provider: 'stripe', response: ROUTE, drop: ['amount'] })).toBe(true);
    expect(accepted({ provider: 'stripe', webhook: 'payment_intent.succeeded', drop: ['amount'] })).toBe(
      true,
    );
    expect(accepted({ provider: 'stripe', drop: ['amount'] })).toBe(false);
    expect(
      accepted({ provider: 'stripe', response: ROUTE, webhook: 'payment_intent.succeeded', drop: ['a'] }),
    ).toBe(false);
  });

  it('refuses a status on a webhook, a change without operations, and unsafe or empty path segments', () => {
    expect(accepted({ provider: 'stripe', webhook: 'payment_intent.succeeded', status: 500 })).toBe(false);
    expect(accepted({ provider: 'stripe', response: ROUTE })).toBe(false);
    expect(accepted({ provider: 'stripe', response: ROUTE, drop: ['__proto__.polluted'] })).toBe(false);
    expect(accepted({ provider: 'stripe', response: ROUTE, drop: ['charges..data'] })).toBe(false);
    expect(accepted({ provider: 'stripe', response: ROUTE, set: [{ path: 'amount' }] })).toBe(false);
    expect(accepted({ provider: 'stripe', response: ROUTE, times: 0, drop: ['amount'] })).toBe(false);
  });
});

describe('shape changes, applied to answers', () => {
  it('changes a copy of a 2xx answer of its provider and route, never the computed answer', () => {
    const shapes = new ShapeChanges();
    shapes.add(change({ set: [{ path: 'status', value: 'requires_review' }] }));
    const computed = { status: 200, body: intent(), headers: { 'x-kept': '1' } };
    const sent = shapes.response('stripe', ROUTE, computed);
    expect(sent).toEqual({
      status: 200,
      body: { ...intent(), status: 'requires_review' },
      headers: { 'x-kept': '1' },
    });
    expect(computed.body).toEqual(intent());
    expect(shapes.response('stripe', 'GET /v1/payment_intents/:id', computed)).toBe(computed);
    expect(shapes.response('generic', ROUTE, computed)).toBe(computed);
  });

  it('leaves error answers alone unless the change sets a status of its own', () => {
    const shapes = new ShapeChanges();
    shapes.add(change({ drop: ['error.code'] }));
    const declined = { status: 402, body: { error: { code: 'card_declined', type: 'card_error' } } };
    expect(shapes.response('stripe', ROUTE, declined)).toBe(declined);
    shapes.add(change({ drop: ['error.code'], status: 422 }));
    expect(shapes.response('stripe', ROUTE, declined)).toEqual({
      status: 422,
      body: { error: { type: 'card_error' } },
    });
  });

  it('applies `times` changes to exactly the next n answers, then lists them expired with their counts', () => {
    const shapes = new ShapeChanges();
    const once = shapes.add(change({ drop: ['amount'], times: 1 }));
    const always = shapes.add(change({ set: [{ path: 'extra', value: true }] }));
    expect([once.remaining, always.remaining]).toEqual([1, null]);

    const answer = () => shapes.response('stripe', ROUTE, { status: 200, body: intent() }).body;
    const [first, second, third] = [answer(), answer(), answer()];
    expect(first).toMatchObject({ extra: true });
    expect(first).not.toHaveProperty('amount');
    expect([second, third]).toEqual([
      expect.objectContaining({ amount: 1500, extra: true }),
      expect.objectContaining({ amount: 1500, extra: true }),
    ]);
    expect(shapes.list()).toEqual([
      expect.objectContaining({ id: once.id, remaining: 0, applied: 1 }),
      expect.objectContaining({ id: always.id, remaining: null, applied: 3 }),
    ]);

    shapes.clear();
    expect(shapes.list()).toEqual([]);
  });

  it('does not count answers a change skips', () => {
    const shapes = new ShapeChanges();
    const once = shapes.add(change({ drop: ['amount'], times: 1 }));
    shapes.response('stripe', ROUTE, { status: 402, body: intent() });
    shapes.response('stripe', 'GET /v1/events', { status: 200, body: intent() });
    expect(shapes.list()).toEqual([expect.objectContaining({ id: once.id, remaining: 1, applied: 0 })]);
    expect(shapes.response('stripe', ROUTE, { status: 200, body: intent() }).body).not.toHaveProperty(
      'amount',
    );
  });
});

describe('shape changes, applied to webhooks', () => {
  const stripeEvent = (type: string): ProducedEvent => ({
    id: 'evt_1',
    type,
    payload: { id: 'evt_1', type, data: { object: intent() } },
  });

  it('changes a copy of the payload of the named event type only', () => {
    const shapes = new ShapeChanges();
    shapes.add(
      shapeChangeSchema.parse({
        provider: 'stripe',
        webhook: 'payment_intent.succeeded',
        drop: ['data.object.amount'],
      }),
    );
    const succeeded = stripeEvent('payment_intent.succeeded');
    expect(shapes.webhook('stripe', succeeded)).toMatchObject({ data: { object: { status: 'succeeded' } } });
    expect(
      (shapes.webhook('stripe', succeeded) as { data: { object: object } }).data.object,
    ).not.toHaveProperty('amount');
    expect(succeeded.payload).toEqual(stripeEvent('payment_intent.succeeded').payload);
    const failed = stripeEvent('payment_intent.payment_failed');
    expect(shapes.webhook('stripe', failed)).toBe(failed.payload);
    expect(shapes.webhook('easypost', succeeded)).toBe(succeeded.payload);
  });

  it('changes each matching element of a batch, counting each one against `times`', () => {
    const shapes = new ShapeChanges();
    shapes.add(
      shapeChangeSchema.parse({
        provider: 'hubspot',
        webhook: 'contact.propertyChange',
        set: [{ path: 'propertyValue', value: 42 }],
        times: 2,
      }),
    );
    const batch = [
      { subscriptionType: 'contact.creation', objectId: 1 },
      { subscriptionType: 'contact.propertyChange', objectId: 1, propertyValue: 'a' },
      { subscriptionType: 'contact.propertyChange', objectId: 2, propertyValue: 'b' },
      { subscriptionType: 'contact.propertyChange', objectId: 3, propertyValue: 'c' },
    ];
    const sent = shapes.webhook('hubspot', {
      id: 'batch-1',
      type: 'contact.creation,contact.propertyChange',
      payload: batch,
      elementTypes: batch.map((element) => element.subscriptionType),
    });
    expect(sent).toEqual([
      batch[0],
      { ...batch[1], propertyValue: 42 },
      { ...batch[2], propertyValue: 42 },
      batch[3],
    ]);
    expect(batch[1]).toHaveProperty('propertyValue', 'a');
    expect(shapes.list()).toEqual([expect.objectContaining({ remaining: 0, applied: 2 })]);
  });
});
