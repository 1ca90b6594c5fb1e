import { parseReplicas } from './dev-replicas.js';

describe('parseReplicas', () => {
  const apps = {
    all: ['connector-payments', 'ingestion', 'dlq-handler'],
    known: ['connector-payments', 'ingestion', 'dlq-handler', 'lag-exporter'],
  };

  it('scales every app by a bare count', () => {
    expect(parseReplicas(['2'], apps)).toEqual({ 'connector-payments': 2, ingestion: 2, 'dlq-handler': 2 });
  });

  it('scales the apps named, each by its own count, across flags and commas', () => {
    expect(parseReplicas(['ingestion=2,dlq-handler=3', 'lag-exporter=2'], apps)).toEqual({
      ingestion: 2,
      'dlq-handler': 3,
      'lag-exporter': 2,
    });
  });

  it('lets a later entry win, so a bare count can be refined per app', () => {
    expect(parseReplicas(['2,ingestion=3'], apps)).toEqual({
      'connector-payments': 2,
      ingestion: 3,
      'dlq-handler': 2,
    });
    expect(parseReplicas(['ingestion=3', '1'], apps)).toEqual({
      'connector-payments': 1,
      ingestion: 1,
      'dlq-handler': 1,
    });
  });

  it('is empty without the flag', () => {
    expect(parseReplicas([], apps)).toEqual({});
  });

  it.each(['0', 'ingestion=0', 'ingestion=1.5', 'ingestion=', 'two', '-1'])('refuses %s', (value) => {
    expect(() => parseReplicas([value], apps)).toThrow(/expected <n> or <app>=<n>/);
  });

  it('refuses an app it may not scale, naming those it may', () => {
    expect(() => parseReplicas(['provider-sim=2'], apps)).toThrow(
      '--replicas provider-sim=2: no app provider-sim to scale (scalable: connector-payments, ingestion, dlq-handler, lag-exporter)',
    );
  });
});
