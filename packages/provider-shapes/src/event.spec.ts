import { observationOf, shapesObservedData } from './event.js';
import type { ShapeObservation } from './observation.js';

const observation: ShapeObservation = {
  provider: 'stripe',
  surface: 'response',
  endpoint: 'payment_intents.create',
  observer: 'connector-payments',
  windowStart: new Date(1_000),
  windowEnd: new Date(2_000),
  runs: [{ hash: 'aaaaaaaaaaaaaaaa', count: 3 }],
  shapes: [
    {
      hash: 'aaaaaaaaaaaaaaaa',
      status: 200,
      fields: [{ path: '$', type: 'object' }],
      enums: [{ path: '$.status', value: 'succeeded' }],
      example: '{}',
    },
  ],
  declaration: {
    enums: ['$.status'],
    reliesOn: [
      { path: '$.id', usedBy: 'connector-payments: src/payments.connector.ts requestPayment' },
      { path: '$.status', values: ['succeeded'], usedBy: 'connector-payments: src/payments.connector.ts x' },
    ],
  },
};

describe('the shapes_observed payload', () => {
  it('carries the endpoint key, epoch milliseconds and Avro nulls', () => {
    const data = shapesObservedData(observation);
    expect(data).toMatchObject({ endpointKey: 'stripe/response/payment_intents.create', windowStart: 1_000 });
    expect(data.declaration.reliesOn?.[0]).toEqual({ ...observation.declaration.reliesOn![0], values: null });
  });

  it('reads back the observation it was made from', () => {
    expect(observationOf(shapesObservedData(observation))).toEqual(observation);
  });

  it('reads a declaration without enums or reliances as empty lists', () => {
    const data = shapesObservedData({ ...observation, declaration: {} });
    expect(observationOf(data).declaration).toEqual({ enums: [], reliesOn: [] });
  });
});
