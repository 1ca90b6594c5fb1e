import { compare, judgeWriteBack, missingAtOwner, ownedHash } from './comparison.js';
import type { LocalCopy, OwnerCopy } from './comparison.js';

const now = 1_000_000_000;
const context = { entity: 'contact' as const, readStartedAt: now - 1_000, now, settleMs: 60_000 };
const fields = {
  email: 'ada@example.com',
  givenName: 'Ada',
  familyName: 'Lovelace',
  phone: null,
  marketingConsent: 'true',
};
const owner = (changes: Partial<OwnerCopy> = {}, values: OwnerCopy['fields'] = fields): OwnerCopy => ({
  externalId: '101',
  internalId: 'c-1',
  ownerUpdatedAt: now - 3_600_000,
  deleted: false,
  fields: values,
  ...changes,
});
const local = (changes: Partial<LocalCopy> = {}, values: LocalCopy['fields'] = fields): LocalCopy => ({
  entityId: 'c-1',
  fields: values,
  agreedHash: null,
  externalId: null,
  lastEventAt: now - 3_600_000,
  deleted: false,
  writeInFlight: false,
  ...changes,
});
const edited = { ...fields, givenName: 'Augusta' };

describe('compare', () => {
  it('agrees when the owned fields are equal, whatever else differs', () => {
    expect(compare(context, owner(), local({}, { ...fields, locale: 'en-GB' }))).toEqual({
      kind: 'agree',
      hash: ownedHash('contact', fields),
    });
  });

  it('finds the owner object the platform never heard of, and names the fields', () => {
    const verdict = compare(context, owner(), undefined);
    expect(verdict.kind).toBe('missing_locally');
    expect(
      verdict.kind !== 'agree' && verdict.kind !== 'deferred' && verdict.diffs.map((d) => d.field),
    ).toEqual(['email', 'givenName', 'familyName', 'marketingConsent']);
  });

  it('is stale when the owner moved after the last agreement and the platform did not', () => {
    const verdict = compare(context, owner({}, edited), local({ agreedHash: ownedHash('contact', fields) }));
    expect(verdict).toMatchObject({
      kind: 'stale_locally',
      diffs: [{ field: 'givenName', local: 'Ada', owner: 'Augusta' }],
    });
  });

  it('is ahead, not a mismatch, when only the platform moved; a conflict when both did', () => {
    const agreed = ownedHash('contact', fields);
    expect(compare(context, owner(), local({ agreedHash: agreed }, edited)).kind).toBe('ahead_locally');
    const both = compare(
      context,
      owner({}, { ...fields, familyName: 'King' }),
      local({ agreedHash: agreed }, edited),
    );
    expect(both.kind).toBe('conflict');
  });

  it('lets the owner win before any agreement, unless the platform write is in flight', () => {
    expect(compare(context, owner({}, edited), local()).kind).toBe('stale_locally');
    expect(compare(context, owner({}, edited), local({ writeInFlight: true })).kind).toBe('ahead_locally');
  });

  it('defers what changed during the read or within the settle window, on either side', () => {
    expect(compare(context, owner({ ownerUpdatedAt: now - 500 }, edited), local())).toEqual({
      kind: 'deferred',
      reason: 'changed during the read',
    });
    expect(compare(context, owner({ ownerUpdatedAt: now - 30_000 }, edited), local()).kind).toBe('deferred');
    expect(compare(context, owner({}, edited), local({ lastEventAt: now - 10_000 })).kind).toBe('deferred');
  });

  it('finds an object the owner deleted, and agrees on one both sides dropped', () => {
    expect(compare(context, owner({ deleted: true }), local()).kind).toBe('missing_at_owner');
    expect(compare(context, owner({ deleted: true }), undefined).kind).toBe('agree');
  });
});

describe('missingAtOwner', () => {
  it('concludes only on settled platform copies with nothing in flight', () => {
    expect(missingAtOwner(local(), context)).toBe(true);
    expect(missingAtOwner(local({ lastEventAt: now - 1_000 }), context)).toBe(false);
    expect(missingAtOwner(local({ writeInFlight: true }), context)).toBe(false);
    expect(missingAtOwner(local({ deleted: true }), context)).toBe(false);
  });
});

describe('judgeWriteBack', () => {
  const stated = (values: Record<string, string | null>, recordedAt = now - 3_600_000) => ({
    fields: values,
    recordedAt,
  });
  const ours = { lifecycleStage: 'customer', lastPaidOrderId: 'o-2' };

  it('finds a field the platform owns changed at the owner, and names it with both values', () => {
    const held = owner({}, { ...fields, lifecycleStage: 'lead', lastPaidOrderId: 'o-2' });
    expect(judgeWriteBack(context, held, stated(ours))).toEqual({
      kind: 'stale_at_owner',
      diffs: [{ field: 'lifecycleStage', local: 'customer', owner: 'lead' }],
    });
  });

  it('agrees when the owner holds what the platform stated, whatever the owned fields say', () => {
    const held = owner({}, { ...edited, ...ours });
    expect(judgeWriteBack(context, held, stated(ours))).toEqual({ kind: 'agree' });
  });

  it('judges only the fields the platform stated a value for', () => {
    const held = owner({}, { ...fields, lifecycleStage: 'customer', lastPaidOrderId: 'o-9' });
    expect(
      judgeWriteBack(context, held, stated({ lifecycleStage: 'customer', lastPaidOrderId: null })),
    ).toEqual({ kind: 'agree' });
  });

  it('waits while the statement may still be on its way to the owner', () => {
    const held = owner({}, { ...fields, lifecycleStage: null, lastPaidOrderId: null });
    expect(judgeWriteBack(context, held, stated(ours, now - 1_000))).toEqual({ kind: 'deferred' });
  });

  it('has nothing to judge without a statement, or when the owner no longer holds the object', () => {
    const held = owner({}, { ...fields, lifecycleStage: 'lead' });
    expect(judgeWriteBack(context, held, undefined)).toBeUndefined();
    expect(judgeWriteBack(context, owner({ deleted: true }), stated(ours))).toBeUndefined();
  });
});
