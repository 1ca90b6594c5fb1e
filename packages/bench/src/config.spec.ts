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
    });
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
