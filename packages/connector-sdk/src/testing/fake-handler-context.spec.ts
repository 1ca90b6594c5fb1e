import type { EventOf } from '@tributary/contracts';
import { fakeHandlerContext } from './fake-handler-context.js';
import { sampleEvent } from './sample-event.js';

const connector = { id: 'payments', provider: 'stripe' };

function context(externalRefs = [{ externalType: 'customer', externalId: 'cus_1', internalId: 'cust-1' }]) {
  const event = sampleEvent('payments.payment.requested', { subject: 'pay-1' });
  const ctx = fakeHandlerContext(connector, {
    event,
    provider: 'the client',
    config: { KEY: 'k' },
    externalRefs,
  });
  return { event, ctx };
}

const succeeded = (
  ctx: ReturnType<typeof context>['ctx'],
  data: Partial<EventOf<'payments.payment.succeeded'>['data']> = {},
) =>
  ctx.newEvent('payments.payment.succeeded', 'pay-1', {
    ...sampleEvent('payments.payment.succeeded', { subject: 'pay-1' }).data,
    ...data,
  });

describe('fakeHandlerContext', () => {
  it('hands out the keys, client and config a handler of the connector gets, recording the keys taken', () => {
    const { event, ctx } = context();
    expect([ctx.connectorId, ctx.provider, ctx.config, ctx.attempt]).toEqual([
      'payments',
      'the client',
      { KEY: 'k' },
      1,
    ]);
    expect(ctx.idempotencyKey).toBe(`tributary:payments:${event.id}`);
    expect(ctx.idempotencyKeyFor('refund')).toBe(`tributary:payments:${event.id}:refund`);
    expect(ctx.idempotencyKey).toBe(`tributary:payments:${event.id}`);
    expect(ctx.idempotencyKeys).toEqual([
      `tributary:payments:${event.id}`,
      `tributary:payments:${event.id}:refund`,
    ]);
    expect(ctx.signal.aborted).toBe(false);
  });

  it('makes new events caused by the handled one, in its correlation', () => {
    const { event, ctx } = context();
    const next = succeeded(ctx);
    expect(next).toMatchObject({
      type: 'payments.payment.succeeded',
      subject: 'pay-1',
      source: '/tributary/connector-payments',
      causationId: event.id,
      correlationId: event.correlationId ?? event.id,
    });
    expect(next.id).not.toBe(event.id);
  });

  it('records the writes of a commit whose work resolved, with its result', async () => {
    const { ctx } = context();
    const result = await ctx.commit(async (tx) => {
      expect(await tx.externalRefs.find('customer', 'cus_1')).toMatchObject({
        internalId: 'cust-1',
        provider: 'stripe',
      });
      const ref = await tx.externalRefs.upsert('payment_intent', 'pi_1', 'pay-1');
      expect(await tx.externalRefs.find('payment_intent', 'pi_1')).toEqual(ref);
      await tx.publish(succeeded(ctx));
      return 'done';
    });
    expect(result).toBe('done');
    expect(ctx.commits).toBe(1);
    expect(ctx.upserted).toEqual([
      { externalType: 'payment_intent', externalId: 'pi_1', internalId: 'pay-1' },
    ]);
    expect(ctx.found).toEqual([
      { externalType: 'customer', externalId: 'cus_1' },
      { externalType: 'payment_intent', externalId: 'pi_1' },
    ]);
    expect(ctx.published.map((e) => e.type)).toEqual(['payments.payment.succeeded']);
  });

  it('keeps nothing of a commit whose work failed, and allows the commit again', async () => {
    const { ctx } = context();
    await expect(
      ctx.commit(async (tx) => {
        await tx.externalRefs.upsert('payment_intent', 'pi_1', 'pay-1');
        await tx.publish(succeeded(ctx));
        throw new Error('constraint violated');
      }),
    ).rejects.toThrow('constraint violated');
    expect([ctx.commits, ctx.upserted, ctx.published]).toEqual([0, [], []]);
    await ctx.commit(async (tx) => expect(await tx.externalRefs.find('payment_intent', 'pi_1')).toBeNull());
    expect(ctx.commits).toBe(1);
  });

  it('refuses a second commit, as the runtime does', async () => {
    const { ctx } = context();
    await ctx.commit(async () => undefined);
    await expect(ctx.commit(async () => undefined)).rejects.toThrow('called commit twice');
  });

  it('refuses an event the outbox would refuse, before anything is committed', async () => {
    const { ctx } = context();
    const invalid = succeeded(ctx, { amountMinor: 'lots' as never });
    await expect(ctx.commit((tx) => tx.publish(invalid))).rejects.toMatchObject({
      code: 'SCHEMA_VALIDATION_FAILED',
    });
    expect(ctx.published).toEqual([]);
  });

  it('has no database behind tx.manager', async () => {
    const { ctx } = context();
    await expect(ctx.commit(async (tx) => tx.manager.query('SELECT 1'))).rejects.toThrow('no database');
  });

  it('records what the handler logged and its heartbeats', async () => {
    const { event, ctx } = context();
    ctx.logger.warn({ attemptOf: 2 }, 'provider slow');
    await ctx.heartbeat();
    expect(ctx.logs).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'provider slow', attemptOf: 2, eventId: event.id }),
    ]);
    expect(ctx.heartbeats).toBe(1);
  });
});
