import { AuditLog } from '../index.js';
import { createTestSchema, type TestSchema } from '../../test/support/database.js';

describe('AuditLog', () => {
  let db: TestSchema;
  let audit: AuditLog;

  beforeAll(async () => {
    db = await createTestSchema('audit');
    audit = new AuditLog(db.dataSource);
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it('records who did what to which target, and why', async () => {
    const entry = await audit.record({
      actor: 'sre:alice',
      action: 'dlq.replay',
      reason: 'provider outage over, INC-42',
      target: 'connector-stripe.dlq',
      details: { count: 17 },
    });
    expect(entry).toMatchObject({ actor: 'sre:alice', action: 'dlq.replay', details: { count: 17 } });
    expect(entry.at).toBeInstanceOf(Date);
    expect(await audit.list({ target: 'connector-stripe.dlq' })).toEqual([entry]);
  });

  it('lists newest first and filters', async () => {
    await audit.record({
      actor: 'sre:bob',
      action: 'dlq.discard',
      reason: 'test data',
      target: 'group-b.dlq',
    });
    await audit.record({
      actor: 'sre:bob',
      action: 'dlq.replay',
      reason: 'fixed mapping',
      target: 'group-b.dlq',
    });
    const listed = await audit.list({ actor: 'sre:bob' });
    expect(listed.map((entry) => entry.action)).toEqual(['dlq.replay', 'dlq.discard']);
    expect(await audit.list({ actor: 'sre:bob', action: 'dlq.discard' })).toHaveLength(1);
    expect(await audit.list({ actor: 'sre:bob', limit: 1 })).toHaveLength(1);
  });

  it('commits or rolls back with the audited action', async () => {
    await expect(
      db.dataSource.transaction(async (manager) => {
        await audit.record(
          { actor: 'sre:carol', action: 'replay', reason: 'r', target: 't-rollback' },
          manager,
        );
        throw new Error('replay failed');
      }),
    ).rejects.toThrow('replay failed');
    expect(await audit.list({ target: 't-rollback' })).toEqual([]);
  });

  it.each(['actor', 'action', 'reason', 'target'] as const)('requires a non-empty %s', async (field) => {
    const entry = { actor: 'a', action: 'b', reason: 'c', target: 'd', [field]: ' ' };
    await expect(audit.record(entry)).rejects.toMatchObject({
      code: 'AUDIT_INVALID_ENTRY',
      retriable: false,
    });
  });
});
