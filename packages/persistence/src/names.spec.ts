import { assertSchemaName, namesFor, quoteIdent } from './names.js';

describe('namesFor', () => {
  it('qualifies every table with the schema', () => {
    const names = namesFor('orders_svc');
    expect(names.outboxTable).toBe('"orders_svc"."outbox"');
    expect(names.inboxTable).toBe('"orders_svc"."inbox"');
    expect(names.externalRefsTable).toBe('"orders_svc"."external_refs"');
    expect(names.auditLogTable).toBe('"orders_svc"."audit_log"');
    expect(names.channel).toBe('tributary_outbox.orders_svc');
    expect(names.relayLockName).toBe('tributary.outbox-relay:orders_svc');
    expect(names.metricLabel).toBe('orders_svc');
  });

  it('keeps channels within the 63-byte identifier limit and distinct per schema', () => {
    const a = namesFor(`a${'x'.repeat(61)}`).channel;
    const b = namesFor(`b${'x'.repeat(61)}`).channel;
    expect(a.length).toBeLessThanOrEqual(63);
    expect(b.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
  });
});

describe('assertSchemaName', () => {
  it.each(['public', 't_1', '_x'])('accepts %s', (schema) => {
    expect(assertSchemaName(schema)).toBe(schema);
  });

  it.each(['Public', '1abc', 'a-b', 'a"b', '', 'x'.repeat(64)])('rejects %j with a stable code', (schema) => {
    expect(() => assertSchemaName(schema)).toThrow(
      expect.objectContaining({ code: 'PERSISTENCE_INVALID_SCHEMA' }),
    );
  });
});

describe('quoteIdent', () => {
  it('doubles embedded quotes', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
  });
});
