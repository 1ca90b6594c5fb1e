import { parseCommand } from '../../config.js';
import type { BackboneOptions } from '../../config.js';
import type { ProcessReport } from '../../process-report.js';
import type { Figures } from './figures.js';
import { goalLine } from '../../goals.js';
import { backboneGoals, renderBackboneReport } from './report.js';
import type { BackboneResults } from './report.js';
import type { InboxConsumerFigures } from './inbox-consumer.js';

const command = parseCommand(['backbone', '--events', '1000']);
const options = (command.kind === 'run' ? command.options : undefined) as BackboneOptions;

/** `events` in `elapsedMs`, every latency `latencyMs`. */
function figures(events: number, elapsedMs: number, latencyMs: number): Figures {
  return { events, elapsedMs, latenciesMs: new Float64Array(events).fill(latencyMs) };
}

const usage: ProcessReport = {
  before: { rss: 100 * 2 ** 20, heapUsed: 40 * 2 ** 20, heapTotal: 60 * 2 ** 20, external: 2 ** 20 },
  after: { rss: 110 * 2 ** 20, heapUsed: 45 * 2 ** 20, heapTotal: 60 * 2 ** 20, external: 2 ** 20 },
  peakRss: 120 * 2 ** 20,
  wallMs: 200,
  cpuMs: 150,
  loopUtilization: 0.62,
};

function inboxFigures(
  base: Figures,
  overrides: Partial<Omit<InboxConsumerFigures, keyof Figures>> = {},
): InboxConsumerFigures {
  return {
    ...base,
    joinMs: 400,
    effects: base.events,
    duplicates: 0,
    transactions: base.events,
    healthy: { events: base.events, elapsedMs: base.elapsedMs },
    parked: 0,
    outOfOrder: 0,
    ...overrides,
  };
}

function results(overrides: Partial<BackboneResults> = {}): BackboneResults {
  return {
    options,
    stack: 'test stack',
    workload: { valueBytes: 1024, headerBytes: 330, linesPerOrder: 28 },
    ceiling: {
      figures: {
        records: 1000,
        recordsPerSecond: 20_000,
        megabytesPerSecond: 19.5,
        avgLatencyMs: 10,
        maxLatencyMs: 30,
        p50Ms: 8,
        p95Ms: 20,
        p99Ms: 25,
        p999Ms: 29,
        line: '1000 records sent, ...',
      },
    },
    raw: { figures: figures(1000, 100, 40), usage }, // 10,000/s
    pg: { figures: figures(1000, 50, 5), usage }, // 20,000/s
    outbox: {
      figures: {
        mode: 'concurrent',
        published: figures(1000, 160, 70), // 6,250/s
        writes: figures(1000, 100, 12), // 10,000/s
        relay: {
          batches: 2,
          largestBatch: 540,
          sendMs: 90,
          sendingSpanMs: 120,
          firstSendAtMs: 30,
          outOfOrder: 0,
        },
      },
      usage,
    },
    drain: {
      figures: {
        mode: 'backlog',
        published: figures(1000, 125, 60), // 8,000/s
        writes: figures(1000, 80, 10), // 12,500/s
        relay: {
          batches: 2,
          largestBatch: 540,
          sendMs: 100,
          sendingSpanMs: 110,
          firstSendAtMs: 15,
          outOfOrder: 0,
        },
      },
    },
    shardRuns: [
      {
        shards: 4,
        relays: 1,
        outcome: {
          figures: {
            mode: 'backlog',
            published: figures(1000, 110, 30), // 9,091/s
            writes: figures(1000, 80, 10),
            relay: {
              batches: 8,
              largestBatch: 135,
              sendMs: 300,
              sendingSpanMs: 105,
              firstSendAtMs: 5,
              outOfOrder: 0,
            },
          },
        },
      },
      { shards: 4, relays: 2, outcome: { error: 'relay exited' } },
    ],
    inbox: { figures: inboxFigures(figures(1000, 500, 3)), usage }, // 2,000/s
    inboxBatched: { figures: inboxFigures(figures(1000, 125, 20), { transactions: 4 }), usage }, // 8,000/s
    // Healthy keys: 990 events in 116 ms (8,534/s, 5% below 9,000/s, the mean of (c') and (c'')); the
    // failing ones came back after the tier.
    inboxFailing: {
      figures: inboxFigures(figures(1000, 1_200, 20), {
        transactions: 30,
        parked: 12,
        healthy: { events: 990, elapsedMs: 116 },
      }),
      usage,
    },
    inboxBatchedAgain: { figures: inboxFigures(figures(1000, 100, 20), { transactions: 3 }), usage }, // 10,000/s
    ...overrides,
  };
}

describe('renderBackboneReport', () => {
  it('prints each phase with its ratio to (a) and to ProducerPerformance of the same run', () => {
    const report = renderBackboneReport(results());
    const line = (prefix: string) =>
      report
        .split('\n')
        .find((l) => l.startsWith(prefix))!
        .split(/\s{2,}/);
    expect(line('Kafka ProducerPerformance')).toEqual([
      'Kafka ProducerPerformance (ceiling)',
      '1,000',
      '20,000',
      '8.00',
      '25.0',
      '2.00×',
      '1.00×',
    ]);
    expect(line('(a) raw kafkajs')).toEqual([
      '(a) raw kafkajs producer',
      '1,000',
      '10,000',
      '40.0',
      '40.0',
      '1.00×',
      '0.50×',
    ]);
    expect(line('(b) outbox + relay')).toEqual([
      '(b) outbox + relay -> Kafka',
      '1,000',
      '6,250',
      '70.0',
      '70.0',
      '0.63×',
      '0.31×',
    ]);
    expect(line("(b') relay draining")).toEqual([
      "(b') relay draining a backlog",
      '1,000',
      '8,000',
      '60.0',
      '60.0',
      '0.80×',
      '0.40×',
    ]);
    expect(line('(c) inbox')).toEqual([
      '(c) inbox consumer, a transaction per event',
      '1,000',
      '2,000',
      '3.00',
      '3.00',
      '0.20×',
      '0.10×',
    ]);
    expect(line("(c') inbox")).toEqual([
      "(c') inbox consumer, batched",
      '1,000',
      '8,000',
      '20.0',
      '20.0',
      '0.80×',
      '0.40×',
    ]);
    expect(line('(b) outbox writers')).toEqual([
      '(b) outbox writers, relay running',
      '10,000',
      '12.0',
      '12.0',
      '0.50×',
    ]);
    expect(line("(b') outbox writers")).toEqual([
      "(b') outbox writers alone",
      '12,500',
      '10.0',
      '10.0',
      '0.63×',
    ]);
    expect(report.split('\n').slice(-4)).toEqual([
      'goal outbox publish rate vs raw producer, 1 KiB events: 0.63× (target ≥ 0.5×): MET',
      'goal batched inbox consumer rate vs raw producer, 1 KiB events: 0.80× (target ≥ 0.5×): MET',
      'goal healthy keys rate lost with 1 % of keys failing into a retry tier: 5% (target ≤ 10%): MET',
      'goal outbox relay with shards: 0.91× of raw producer (target ≥ 0.8×): MET',
    ]);
    expect(line('4 shards, 1 relay')).toEqual([
      '4 shards, 1 relay',
      '1,000',
      '9,091',
      expect.any(String),
      expect.any(String),
      '0.91×',
      '8',
      'held',
    ]);
    expect(report).toMatch(/^4 shards, 2 relays\s+not measured: relay exited\s+n\/a/m);
    expect(report).toContain("(d) healthy keys: 8,534 events/s vs 9,000 (mean of (c') and (c'')): 5% lost");
    expect(report).toContain(
      'inbox (d)  group join + first fetch 400 ms (not in the rate); effects applied 1,000 of 1,000 in 30 transactions, duplicates skipped 0, parked 12, out of order per key 0',
    );
    expect(report).toContain(
      'Kafka busy 90.0 ms = 75% of first send -> last ack; gaps between sends 30.0 ms',
    );
    expect(report).toContain('the relay was behind: a backlog was left when the writers finished');
    expect(report).toContain('effects applied 1,000 of 1,000 in 1,000 transactions, duplicates skipped 0');
    expect(report).toMatch(
      /\(b\) outbox \+ relay\s+100\.0 MiB\s+110\.0 MiB\s+\+10\.0 MiB\s+120\.0 MiB\s+40\.0 MiB\s+45\.0 MiB\s+75%\s+62%$/m,
    );
  });

  it('prints n/a and the reason for phases that could not be measured', () => {
    const report = renderBackboneReport(
      results({
        ceiling: { error: 'skipped (--no-ceiling)' },
        inbox: { error: 'skipped: it consumes what (b) published' },
      }),
    );
    expect(report).toMatch(
      /Kafka ProducerPerformance \(ceiling\)\s+1,000\s+n\/a\s+n\/a\s+n\/a\s+n\/a\s+n\/a/,
    );
    expect(report).toMatch(/\(a\) raw kafkajs producer .* 1\.00×\s+n\/a$/m);
    expect(report).toContain('not measured  ProducerPerformance: skipped (--no-ceiling)');
    expect(report).toContain('not measured  (c): skipped: it consumes what (b) published');
    expect(report.split('\n').at(-4)).toMatch(
      /^goal outbox publish rate vs raw producer, 1 KiB events: 0\.63× /,
    );
  });

  it('prints the goal as n/a and NOT MET when (b) could not be measured', () => {
    const report = renderBackboneReport(results({ outbox: { error: 'relay exited' } }));
    expect(report.split('\n').at(-4)).toBe(
      'goal outbox publish rate vs raw producer, 1 KiB events: n/a (target ≥ 0.5×): NOT MET',
    );
  });
});

describe('backboneGoals', () => {
  const base = {
    rawPerSecond: 10_000,
    outboxPerSecond: 5_000,
    inboxPerSecond: 6_000,
    healthyLoss: 0.1,
    shardedPerSecond: 8_500,
  };

  it('says whether (b) and the batched inbox reached half of (a), and the healthy keys lost at most 10 %', () => {
    expect(backboneGoals({ ...base, valueBytes: 1024 }).map(goalLine)).toEqual([
      'goal outbox publish rate vs raw producer, 1 KiB events: 0.50× (target ≥ 0.5×): MET',
      'goal batched inbox consumer rate vs raw producer, 1 KiB events: 0.60× (target ≥ 0.5×): MET',
      'goal healthy keys rate lost with 1 % of keys failing into a retry tier: 10% (target ≤ 10%): MET',
      'goal outbox relay with shards: 0.85× of raw producer (target ≥ 0.8×): MET',
    ]);
    const short = backboneGoals({
      ...base,
      outboxPerSecond: 4_999,
      inboxPerSecond: 2_000,
      healthyLoss: 0.11,
      shardedPerSecond: 7_999,
      valueBytes: 1024,
    });
    expect(short.map((goal) => goal.met)).toEqual([false, false, false, false]);
    const unmeasured = backboneGoals({
      ...base,
      inboxPerSecond: Number.NaN,
      healthyLoss: Number.NaN,
      shardedPerSecond: Number.NaN,
      valueBytes: 1024,
    });
    expect(unmeasured.map((goal) => goal.met)).toEqual([true, undefined, undefined, undefined]);
  });

  it('names the record size of a run with another size, which the goal does not speak about', () => {
    expect(backboneGoals({ ...base, valueBytes: 4096 })[0]!.what).toBe(
      'outbox publish rate vs raw producer, 4096 B (the goal speaks of 1 KiB) events',
    );
  });
});
