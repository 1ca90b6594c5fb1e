import { createLogger } from '@tributary/observability';
import type { DataSource } from 'typeorm';
import type { ShapeChangeSeverity } from './domain/profile.js';
import { collectOpenChanges, providerShapeMetrics } from './provider-changes.metrics.js';

type OpenCount = { provider: string; endpoint: string; severity: ShapeChangeSeverity; count: number };

const dataSource = { isInitialized: true, manager: {} } as unknown as DataSource;

/** The gauge as a scrape reads it, one `provider endpoint severity` key per series. */
async function scrape(): Promise<Record<string, number>> {
  const { values } = await providerShapeMetrics.openChanges.get();
  return Object.fromEntries(
    values.map(({ labels, value }) => [`${labels.provider} ${labels.endpoint} ${labels.severity}`, value]),
  );
}

function collecting(read: () => Promise<OpenCount[]>) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: 'reconciliation',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  collectOpenChanges(dataSource, { openCounts: read }, logger);
  return lines;
}

describe('the open provider changes gauge', () => {
  it('reports every severity of an endpoint with changes, 0 where all are acknowledged', async () => {
    let counts: OpenCount[] = [
      { provider: 'stripe', endpoint: 'payment_intents.create', severity: 'warning', count: 2 },
      { provider: 'stripe', endpoint: 'payment_intents.create', severity: 'error', count: 1 },
    ];
    collecting(async () => counts);
    expect(await scrape()).toEqual({
      'stripe payment_intents.create info': 0,
      'stripe payment_intents.create warning': 2,
      'stripe payment_intents.create error': 1,
    });

    // The last open error acknowledged: the read still names it, with nothing open.
    counts = [
      { provider: 'stripe', endpoint: 'payment_intents.create', severity: 'warning', count: 2 },
      { provider: 'stripe', endpoint: 'payment_intents.create', severity: 'error', count: 0 },
    ];
    expect(await scrape()).toEqual({
      'stripe payment_intents.create info': 0,
      'stripe payment_intents.create warning': 2,
      'stripe payment_intents.create error': 0,
    });
  });

  it('logs a failed read and keeps the last figures', async () => {
    let fail = false;
    const lines = collecting(async () => {
      if (fail) throw new Error('connection terminated');
      return [{ provider: 'hubspot', endpoint: 'contact.creation', severity: 'error', count: 3 }];
    });
    const before = await scrape();
    fail = true;
    expect(await scrape()).toEqual(before);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'provider open changes could not be read; the gauge keeps its last figures',
        err: expect.objectContaining({ message: 'connection terminated' }),
      }),
    ]);
  });
});
