import {
  formatBytes,
  formatBytesDelta,
  formatMs,
  formatRate,
  formatPercent,
  formatRatio,
  percentile,
  ratePerSecond,
  ratio,
  renderTable,
  summarize,
} from './stats.js';

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('uses the nearest rank, so every percentile is an observed value', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 99)).toBe(40);
  });

  it('is NaN without samples and refuses a percentile outside 0..100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts numerically (not as strings) and leaves the input alone', () => {
    const input = [100, 9, 20, 3, 1000];
    const summary = summarize(input);
    expect(summary).toEqual({ count: 5, p50: 20, p99: 1000, max: 1000, mean: 226.4 });
    expect(input).toEqual([100, 9, 20, 3, 1000]);
  });

  it('reports NaN figures for an empty phase instead of zeros that look measured', () => {
    const summary = summarize([]);
    expect(summary.count).toBe(0);
    expect(summary.p50).toBeNaN();
    expect(summary.max).toBeNaN();
    expect(summary.mean).toBeNaN();
  });
});

describe('rates and ratios', () => {
  it('computes events per second from milliseconds', () => {
    expect(ratePerSecond(20_000, 2_000)).toBe(10_000);
    expect(ratePerSecond(5, 0)).toBeNaN();
  });

  it('gives NaN when a side is missing, so a skipped ceiling prints n/a', () => {
    expect(ratio(5_000, 10_000)).toBe(0.5);
    expect(ratio(5_000, Number.NaN)).toBeNaN();
    expect(ratio(Number.NaN, 1)).toBeNaN();
    expect(ratio(1, 0)).toBeNaN();
    expect(formatRatio(ratio(1, 0))).toBe('n/a');
  });
});

describe('formatting', () => {
  it('formats rates as whole, grouped numbers', () => {
    expect(formatRate(12_345.6)).toBe('12,346');
    expect(formatRate(Number.NaN)).toBe('n/a');
  });

  it('keeps two decimals for small latencies and none for large ones', () => {
    expect(formatMs(0.4242)).toBe('0.42');
    expect(formatMs(12.345)).toBe('12.3');
    expect(formatMs(1234.5)).toBe('1,235');
    expect(formatMs(Number.POSITIVE_INFINITY)).toBe('n/a');
  });

  it('formats ratios with two decimals', () => {
    expect(formatRatio(0.5)).toBe('0.50×');
    expect(formatRatio(1.239)).toBe('1.24×');
  });

  it('formats shares as whole percentages', () => {
    expect(formatPercent(0.614)).toBe('61%');
    expect(formatPercent(Number.NaN)).toBe('n/a');
  });

  it('formats bytes in binary units and deltas with a sign', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(256 * 1024 * 1024)).toBe('256.0 MiB');
    expect(formatBytesDelta(12 * 1024 * 1024)).toBe('+12.0 MiB');
    expect(formatBytesDelta(-3 * 1024 * 1024)).toBe('-3.0 MiB');
    expect(formatBytesDelta(0)).toBe('+0 B');
  });
});

describe('renderTable', () => {
  it('aligns the first column left and the others right, under a rule', () => {
    const table = renderTable(
      ['phase', 'events/s'],
      [
        ['raw', '9,000'],
        ['outbox', '12,000'],
      ],
    );
    expect(table.split('\n')).toEqual([
      'phase   events/s',
      '------  --------',
      'raw        9,000',
      'outbox    12,000',
    ]);
  });

  it('refuses a row whose cell count differs from the header', () => {
    expect(() => renderTable(['a', 'b'], [['1']])).toThrow(/1 cells, the header 2/);
  });
});
