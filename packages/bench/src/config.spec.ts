import { parseCommand } from './config.js';

describe('parseCommand', () => {
  it('runs the backbone suite with the documented defaults', () => {
    expect(parseCommand(['backbone'])).toEqual({
      kind: 'run',
      suite: 'backbone',
      options: {
        events: 20_000,
        batch: 500,
        batchBytes: 786_432,
        writers: 4,
        transactionSize: 100,
        inlineWriters: false,
        keys: 1_000,
        partitions: 6,
        consumerConcurrency: 6,
        recordBytes: 1_024,
        warmup: 2_000,
        skipCeiling: false,
        ceilingProps: [],
      },
      reconciliation: { records: 100_000, drift: 0.01, entities: ['payment', 'contact', 'shipment'] },
      soak: {
        events: 100_000,
        ordersPerSecond: 8,
        seed: expect.any(Number),
        replicas: 2,
        killsPerInstance: 2,
        brokerRestarts: 1,
        postgresRestarts: 1,
        providerFaultRate: 0.05,
        stallMs: 180_000,
      },
    });
  });

  it('takes the soak seed given, to repeat a fault plan', () => {
    const command = parseCommand(['soak', '--events', '5000', '--seed', '42']);
    expect(command.kind === 'run' && command.soak).toMatchObject({ events: 5_000, seed: 42 });
  });

  it('takes flags in either order and digit separators in numbers', () => {
    const command = parseCommand(['--events', '100_000', 'backbone', '--batch=500', '--partitions', '3']);
    expect(command.kind).toBe('run');
    if (command.kind !== 'run') return;
    expect(command.options.events).toBe(100_000);
    expect(command.options.batch).toBe(500);
    // The consumer follows the partition count unless told otherwise.
    expect(command.options.consumerConcurrency).toBe(3);
  });

  it('collects repeated producer properties for ProducerPerformance', () => {
    const command = parseCommand(['backbone', '--pp-prop', 'batch.size=262144', '--pp-prop=linger.ms=5']);
    expect(command.kind === 'run' && command.options.ceilingProps).toEqual([
      'batch.size=262144',
      'linger.ms=5',
    ]);
    expect(() => parseCommand(['backbone', '--pp-prop', 'batch.size'])).toThrow(/name=value/);
  });

  it('takes the reconciliation options: records, drift share and entities', () => {
    const command = parseCommand([
      'reconciliation',
      '--records',
      '20_000',
      '--drift',
      '0.05',
      '--entities',
      'contact, payment',
    ]);
    expect(command.kind === 'run' && command.reconciliation).toEqual({
      records: 20_000,
      drift: 0.05,
      // In the suite's order whatever the list's.
      entities: ['payment', 'contact'],
    });
    const all = parseCommand(['reconciliation', '--entities', 'all']);
    expect(all.kind === 'run' && all.reconciliation.entities).toEqual(['payment', 'contact', 'shipment']);
  });

  it('refuses a drift outside 0..1, more records than the simulator seeds, and unknown entities', () => {
    expect(() => parseCommand(['reconciliation', '--drift', '1.5'])).toThrow(
      /--drift must be a share within 0\.\.1/,
    );
    expect(() => parseCommand(['reconciliation', '--drift', ''])).toThrow(/--drift/);
    expect(() => parseCommand(['reconciliation', '--records', '2_000_000'])).toThrow(
      /--records must be an integer within 1\.\.1,000,000/,
    );
    expect(() => parseCommand(['reconciliation', '--entities', 'order'])).toThrow(/--entities takes all/);
  });

  it('shows the usage without a suite or with --help', () => {
    expect(parseCommand([]).kind).toBe('help');
    expect(parseCommand(['backbone', '-h']).kind).toBe('help');
  });

  it('names the bad option', () => {
    expect(() => parseCommand(['backbone', '--events', '0'])).toThrow(/--events must be an integer ≥ 1/);
    expect(() => parseCommand(['backbone', '--batch', '1.5'])).toThrow(/--batch/);
    expect(() => parseCommand(['nightly'])).toThrow(/unknown suite nightly/);
    expect(() => parseCommand(['backbone', '--bogus'])).toThrow(/bogus/);
  });
});
