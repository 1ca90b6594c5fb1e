import type { DomainEvent } from '@tributary/contracts';
import { eventLine, undecodableLine } from './dev-tap.js';

const at = { topic: 'dev.payments.payment.v1', partition: 3, offset: '17' };

function event(overrides: Partial<DomainEvent>): DomainEvent {
  return {
    id: 'e-1',
    type: 'payments.payment.succeeded',
    source: '/tributary/connector-payments',
    subject: 'pay-1',
    time: '2026-12-06T15:00:00.000Z',
    data: {},
    ...overrides,
  } as DomainEvent;
}

describe('the dev tap lines', () => {
  it('names a decoded event by position, type, subject and source, with its age', () => {
    expect(eventLine(at, event({}), Date.parse('2026-12-06T15:00:00.250Z'))).toBe(
      'kafka  dev.payments.payment.v1[3]@17 payments.payment.succeeded subject=pay-1 from /tributary/connector-payments (250 ms after the event)',
    );
  });

  it("marks reconciliation's corrective events as repairs, and not its page requests", () => {
    const when = Date.parse('2026-12-06T15:00:00Z');
    const source = '/tributary/reconciliation';
    expect(eventLine(at, event({ source, type: 'crm.contact.upserted' }), when)).toMatch(
      /REPAIR: the owner's state, found by reconciliation$/,
    );
    expect(eventLine(at, event({ source, type: 'crm.contact.write_back_requested' }), when)).toMatch(
      /REPAIR: the platform’s values written back to the owner/,
    );
    expect(
      eventLine(at, event({ source, type: 'reconciliation.read.requested' as DomainEvent['type'] }), when),
    ).not.toContain('REPAIR');
  });

  it('names an undecodable record by topic, partition and offset, with the error code and the first line of the reason', () => {
    const error = Object.assign(
      new Error('first byte is 0x74, not the Confluent magic byte 0x00\n    at x'),
      {
        code: 'DECODE_BAD_MAGIC_BYTE',
      },
    );
    expect(undecodableLine(at, error)).toBe(
      'kafka  dev.payments.payment.v1[3]@17 UNDECODABLE DECODE_BAD_MAGIC_BYTE: first byte is 0x74, not the Confluent magic byte 0x00',
    );
    expect(undecodableLine(at, 'a string thrown')).toBe(
      'kafka  dev.payments.payment.v1[3]@17 UNDECODABLE a string thrown',
    );
  });
});
