import { z } from 'zod';
import { defineConnector } from './define-connector.js';
import type { ConnectorDefinition } from './define-connector.js';
import { ConnectorErrorCode } from './errors.js';
import type { ConnectorReader } from './reconcile/reader.js';

const reader: ConnectorReader<unknown, unknown> = async () => ({
  records: [],
  nextCursor: null,
  complete: true,
});

const base = (overrides: Partial<ConnectorDefinition<z.ZodType, unknown>>) => ({
  id: 'crm',
  provider: 'hubspot',
  config: z.object({}),
  http: () => ({ baseUrl: 'http://hubspot.test' }),
  client: () => ({}),
  handlers: { 'crm.contact.changed': async () => undefined },
  idempotency: { idempotentBy: 'the upsert by a unique property' },
  ...overrides,
});

function refusal(definition: ConnectorDefinition<z.ZodType, unknown>): string {
  try {
    defineConnector(definition);
  } catch (error) {
    expect((error as { code?: string }).code).toBe(ConnectorErrorCode.definitionInvalid);
    return (error as Error).message;
  }
  throw new Error('expected the definition to be refused');
}

describe('defineConnector: reconciliation readers', () => {
  it('accepts a reader for an entity the ownership map gives this connector and its provider', () => {
    const definition = defineConnector(base({ reconcile: { contact: reader } }));
    expect(Object.keys(definition.reconcile!)).toEqual(['contact']);
  });

  it("refuses a reader for another connector's entity, naming the connector that reads it", () => {
    expect(refusal(base({ reconcile: { payment: reader } }))).toMatch(
      'reconcile.payment: payment is read by connector payments, not crm',
    );
  });

  it("refuses a reader when the connector's provider is not the entity's owner", () => {
    expect(refusal(base({ provider: 'salesforce', reconcile: { contact: reader } }))).toMatch(
      'reconcile.contact: contact is owned by hubspot, not salesforce',
    );
  });

  it('refuses an entity reconciliation does not know, and a reader that is not a function', () => {
    const unknown = { order: reader } as unknown as ConnectorDefinition['reconcile'];
    expect(refusal(base({ reconcile: unknown }))).toMatch('reconcile.order: not a reconciled entity');
    const notAFunction = { contact: 'read' } as unknown as ConnectorDefinition['reconcile'];
    expect(refusal(base({ reconcile: notAFunction }))).toMatch('reconcile.contact must be a reader function');
  });
});

describe('defineConnector: idempotency past the key lifetime', () => {
  const day = 86_400_000;

  it('accepts a key lifetime with a lookup planned for every handled type, or idempotentBy', () => {
    const planned = base({
      idempotency: { keyLifetimeMs: day, lateReplay: { 'crm.contact.changed': 'lookup' } },
    });
    expect(defineConnector(planned).idempotency).toEqual(planned.idempotency);
    const optedOut = base({
      idempotency: {
        keyLifetimeMs: day,
        lateReplay: { 'crm.contact.changed': { noLookupBecause: 'the handler reads first anyway' } },
      },
    });
    expect(() => defineConnector(optedOut)).not.toThrow();
  });

  it('refuses a finite key lifetime whose handler has no lookup and no reason', () => {
    expect(refusal(base({ idempotency: { keyLifetimeMs: day, lateReplay: {} } }))).toMatch(
      /idempotency\.lateReplay\.crm\.contact\.changed: missing — the provider forgets keys after 86400000 ms/,
    );
    const blank = { 'crm.contact.changed': { noLookupBecause: ' ' } };
    expect(refusal(base({ idempotency: { keyLifetimeMs: day, lateReplay: blank } }))).toMatch(
      "idempotency.lateReplay.crm.contact.changed must be 'lookup' or { noLookupBecause: <reason> }",
    );
  });

  it('refuses a plan for a type it does not handle, a bad lifetime, a missing declaration', () => {
    const stray = { 'crm.contact.changed': 'lookup', 'payments.payment.requested': 'lookup' } as const;
    expect(refusal(base({ idempotency: { keyLifetimeMs: day, lateReplay: stray } }))).toMatch(
      'idempotency.lateReplay.payments.payment.requested: not a handled event type',
    );
    const lateReplay = { 'crm.contact.changed': 'lookup' } as const;
    expect(refusal(base({ idempotency: { keyLifetimeMs: -1, lateReplay } }))).toMatch(
      'idempotency.keyLifetimeMs must be a finite number',
    );
    expect(refusal(base({ idempotency: { idempotentBy: '' } }))).toMatch(
      'idempotency.idempotentBy must say why',
    );
    const missing = { ...base({}), idempotency: undefined } as unknown as ConnectorDefinition;
    expect(refusal(missing)).toMatch('idempotency is required');
  });
});
