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
