import { parseProducerPerformance, producerPerformanceArgs } from './producer-performance.js';

describe('parseProducerPerformance', () => {
  it('reads the final summary and skips the periodic progress lines', () => {
    const output = [
      '69106 records sent, 13815.7 records/sec (13.49 MB/sec), 1592.4 ms avg latency, 2120.0 ms max latency.',
      '100000 records sent, 14692.918013 records/sec (14.35 MB/sec), 1420.63 ms avg latency, 2340.00 ms max latency, 1494 ms 50th, 1760 ms 95th, 1785 ms 99th, 1794 ms 99.9th.',
      '',
    ].join('\n');
    expect(parseProducerPerformance(output)).toEqual({
      records: 100_000,
      recordsPerSecond: 14692.918013,
      megabytesPerSecond: 14.35,
      avgLatencyMs: 1420.63,
      maxLatencyMs: 2340,
      p50Ms: 1494,
      p95Ms: 1760,
      p99Ms: 1785,
      p999Ms: 1794,
      line: expect.stringContaining('100000 records sent') as unknown as string,
    });
  });

  it('returns undefined when the run ended before its summary', () => {
    expect(parseProducerPerformance('')).toBeUndefined();
    expect(
      parseProducerPerformance(
        '5000 records sent, 1000.0 records/sec (0.98 MB/sec), 5.0 ms avg latency, 9.0 ms max latency.',
      ),
    ).toBeUndefined();
  });
});

describe('producerPerformanceArgs', () => {
  it('asks for the platform guarantees, unthrottled, with fixed-size records', () => {
    const args = producerPerformanceArgs({
      brokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
      topic: 'bench.pp',
      records: 20_000,
      recordSize: 1024,
    });
    expect(args.join(' ')).toBe(
      '--topic bench.pp --num-records 20000 --record-size 1024 --throughput -1 --producer-props ' +
        'bootstrap.servers=127.0.0.1:9092,127.0.0.1:9093 acks=all enable.idempotence=true ' +
        'client.id=tributary-bench-producer-performance',
    );
  });
});
