import { parseResolution } from './resolution.js';

const id = '0190a0b0-0000-7000-8000-00000000000a';

describe('parseResolution', () => {
  it('reads the proposed contract from headers', () => {
    expect(
      parseResolution({
        topic: 'connector-stripe.dlq.resolved',
        key: Buffer.from(id),
        value: null,
        headers: { 'tributary-dead-letter-id': Buffer.from(id), ce_id: Buffer.from('e-1') },
      }),
    ).toEqual({ deadLetterId: id, consumerGroup: 'connector-stripe', eventId: 'e-1' });
  });

  it('falls back to the JSON value and skips records naming no dead letter', () => {
    expect(
      parseResolution({
        topic: 'g.dlq.resolved',
        key: null,
        value: Buffer.from(JSON.stringify({ deadLetterId: id.toUpperCase(), consumerGroup: 'g' })),
      }),
    ).toEqual({ deadLetterId: id, consumerGroup: 'g' });
    expect(
      parseResolution({ topic: 'g.dlq.resolved', key: Buffer.from('nope'), value: null }),
    ).toBeUndefined();
  });
});
