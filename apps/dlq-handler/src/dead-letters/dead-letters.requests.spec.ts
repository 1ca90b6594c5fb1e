import { filterSql } from './dead-letters.sql.js';
import { parseListQuery } from './dead-letters.requests.js';

describe('dead letter filters', () => {
  it('reads provider as the connector group of that provider', () => {
    const { filter } = parseListQuery({ provider: 'stripe', status: 'pending' });
    expect(filter).toEqual({ provider: 'stripe', status: 'pending' });
    expect(filterSql(filter)).toEqual({
      where: 'consumer_group = $1 AND status = $2',
      params: ['connector-stripe', 'pending'],
    });
  });

  it('numbers parameters after the given offset', () => {
    expect(filterSql({ group: 'g', provider: 'hubspot' }, 2)).toEqual({
      where: 'consumer_group = $3 AND consumer_group = $4',
      params: ['g', 'connector-hubspot'],
    });
  });

  it('refuses a provider that cannot name a connector', () => {
    for (const provider of ['Stripe', 'stripe;drop', '', '-x']) {
      expect(() => parseListQuery({ provider })).toThrow(
        expect.objectContaining({ code: 'DLQ_FILTER_INVALID' }),
      );
    }
  });
});
