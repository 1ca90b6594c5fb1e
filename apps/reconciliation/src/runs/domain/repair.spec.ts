import { repairEvent, repairEventId, repairsAutomatically } from './repair.js';

const base = {
  entityId: 'p-1',
  externalId: 'pi_1',
  ownerUpdatedAt: 1_700_000_000_000,
  runId: 'r-1',
  findingId: 'f-1',
};

describe('repairEvent', () => {
  it("states a payment the owner collected as PaymentSucceeded, with the platform's customer", () => {
    const event = repairEvent({
      ...base,
      entity: 'payment',
      findingClass: 'stale_locally',
      owner: { status: 'succeeded', amountMinor: '2599', currency: 'EUR', orderId: 'o-1' },
      local: { status: 'pending', customerId: 'c-9' },
    });
    expect(event).toMatchObject({
      type: 'payments.payment.succeeded',
      id: repairEventId('payment', 'p-1', base.ownerUpdatedAt, 'payments.payment.succeeded'),
      subject: 'p-1',
      source: '/tributary/reconciliation',
      correlationId: 'r-1',
      data: {
        paymentId: 'p-1',
        orderId: 'o-1',
        customerId: 'c-9',
        amountMinor: 2599,
        providerPaymentId: 'pi_1',
        succeededAt: base.ownerUpdatedAt,
      },
    });
  });

  it("has the CRM connector write back what the platform owns, with the platform's values", () => {
    const event = repairEvent({
      ...base,
      entity: 'contact',
      entityId: 'c-1',
      externalId: '101',
      findingClass: 'stale_at_owner',
      owner: { email: 'a@b.c', lifecycleStage: 'lead', lastPaidOrderId: 'o-1' },
      local: { lifecycleStage: 'customer', lastPaidOrderId: 'o-2' },
    });
    expect(event).toMatchObject({
      type: 'crm.contact.write_back_requested',
      id: repairEventId('contact', 'c-1', base.ownerUpdatedAt, 'crm.contact.write_back_requested'),
      subject: 'c-1',
      data: {
        contactId: 'c-1',
        provider: 'hubspot',
        lifecycleStage: 'customer',
        lastPaidOrderId: 'o-2',
        findingId: 'f-1',
        ownerUpdatedAt: base.ownerUpdatedAt,
      },
    });
  });

  it('gives the same id to the same repair and another one to a newer owner version', () => {
    const input = {
      ...base,
      entity: 'contact' as const,
      findingClass: 'stale_locally' as const,
      owner: { email: 'a@b.c', givenName: 'A', familyName: null, phone: null, marketingConsent: 'false' },
      local: {},
    };
    expect(repairEvent(input)!.id).toBe(repairEvent(input)!.id);
    expect(repairEvent({ ...input, ownerUpdatedAt: base.ownerUpdatedAt + 1 })!.id).not.toBe(
      repairEvent(input)!.id,
    );
    expect(repairEvent(input)).toMatchObject({
      type: 'crm.contact.upserted',
      data: { marketingConsent: false, givenName: 'A' },
    });
  });

  it('archives a contact the owner no longer holds, and has nothing to say about a pending payment', () => {
    expect(
      repairEvent({ ...base, entity: 'contact', findingClass: 'missing_at_owner', owner: {}, local: {} })
        ?.type,
    ).toBe('crm.contact.archived');
    expect(
      repairEvent({
        ...base,
        entity: 'payment',
        findingClass: 'stale_locally',
        owner: { status: 'pending', orderId: 'o' },
        local: {},
      }),
    ).toBeUndefined();
  });

  it('follows the ownership map on what may be repaired without a person', () => {
    expect(repairsAutomatically('payment', 'stale_locally')).toBe(true);
    expect(repairsAutomatically('payment', 'conflict')).toBe(false);
    expect(repairsAutomatically('payment', 'missing_at_owner')).toBe(false);
    expect(repairsAutomatically('contact', 'missing_at_owner')).toBe(true);
  });
});
