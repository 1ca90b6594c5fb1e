import { vectorSelectors } from './promql-selectors.js';

describe('vectorSelectors', () => {
  it('finds the selectors of an alert expression, without functions, label lists, ranges or the threshold', () => {
    expect(
      vectorSelectors(
        'sum by (consumer_group) (rate(tributary_messages_consumed_total{outcome=~"retried|dead_lettered"}[5m])) ' +
          '/ on (consumer_group) group_left sum by (consumer_group) (rate(tributary_messages_consumed_total[5m])) > 0.05',
      ),
    ).toEqual([
      'tributary_messages_consumed_total{outcome=~"retried|dead_lettered"}',
      'tributary_messages_consumed_total',
    ]);
  });

  it('keeps matchers whose values hold braces, commas or keywords, and selectors without a metric name', () => {
    expect(
      vectorSelectors(
        'max without (instance) ({__name__=~"tributary_reconciliation_.+", route!~"/health/.*|{x}"}) and on() up offset 5m',
      ),
    ).toEqual(['{__name__=~"tributary_reconciliation_.+", route!~"/health/.*|{x}"}', 'up']);
  });

  it('skips numbers, durations, strings and scalar functions', () => {
    expect(
      vectorSelectors(
        'label_replace(vector(1), "team", "payments", "", "") * 1e3 + time() - 2h30m + histogram_quantile(0.99, sum by (le) (rate(x_bucket[1m])))',
      ),
    ).toEqual(['x_bucket']);
  });

  it('reads aggregations written with the grouping after the body', () => {
    expect(vectorSelectors('sum(rate(a_total[5m])) by (job) > bool 0 or absent(b)')).toEqual([
      'a_total',
      'b',
    ]);
  });
});
