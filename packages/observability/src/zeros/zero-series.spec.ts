import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { exposeZeros, labelSets } from './zero-series.js';

describe('labelSets', () => {
  it('is the cross product of the known values of each label', () => {
    expect(labelSets({ provider: ['stripe', 'hubspot'], outcome: ['accepted', 'duplicate'] })).toEqual([
      { provider: 'stripe', outcome: 'accepted' },
      { provider: 'stripe', outcome: 'duplicate' },
      { provider: 'hubspot', outcome: 'accepted' },
      { provider: 'hubspot', outcome: 'duplicate' },
    ]);
  });

  it('has no set when a label has no known value', () => {
    expect(labelSets({ provider: [], outcome: ['accepted'] })).toEqual([]);
  });
});

describe('exposeZeros', () => {
  const registry = new Registry();
  const counter = new Counter({
    name: 'z_total',
    help: 'h',
    labelNames: ['a'] as const,
    registers: [registry],
  });
  const gauge = new Gauge({ name: 'z_gauge', help: 'h', labelNames: ['a'] as const, registers: [registry] });
  const histogram = new Histogram({
    name: 'z_seconds',
    help: 'h',
    labelNames: ['a'] as const,
    buckets: [1],
    registers: [registry],
  });

  it('exposes a zero series per label set for counters, gauges and histograms', async () => {
    exposeZeros(counter, [{ a: 'x' }, { a: 'y' }]);
    exposeZeros(gauge, [{ a: 'x' }]);
    exposeZeros(histogram, [{ a: 'x' }]);
    const text = await registry.metrics();
    expect(text).toContain('z_total{a="x"} 0');
    expect(text).toContain('z_total{a="y"} 0');
    expect(text).toContain('z_gauge{a="x"} 0');
    expect(text).toContain('z_seconds_count{a="x"} 0');
  });

  it('leaves what a counter has counted', async () => {
    counter.inc({ a: 'x' }, 3);
    exposeZeros(counter, [{ a: 'x' }]);
    expect(await registry.metrics()).toContain('z_total{a="x"} 3');
  });
});
