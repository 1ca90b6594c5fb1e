import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { stackFromEnv } from '../helpers/stack-from-env.js';
import { uniqueName } from '../helpers/unique-name.js';

const stack = stackFromEnv();
const schemaJson = 'application/vnd.schemaregistry.v1+json';

function avroRecord(fields: object[]): string {
  return JSON.stringify({ type: 'record', name: 'Probe', namespace: 'dev.tributary.testkit', fields });
}

async function register(
  subject: string,
  schema: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${stack.registry.url}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: 'POST',
    headers: { 'content-type': schemaJson },
    body: JSON.stringify({ schema }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the stack handed to integration tests', () => {
  it('has a Kafka cluster that answers the Admin API', async () => {
    const admin = new Kafka({
      clientId: 'testkit-int',
      brokers: stack.kafka.brokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.length).toBeGreaterThanOrEqual(1);
      expect(cluster.controller).not.toBeNull();
    } finally {
      await admin.disconnect();
    }
  });

  it('has a schema registry with the Confluent API', async () => {
    const response = await fetch(`${stack.registry.url}/subjects`);
    expect(response.status).toBe(200);
    expect(Array.isArray(await response.json())).toBe(true);
  });

  it('has a registry that accepts a backward-compatible change and refuses an incompatible one with 409', async () => {
    const subject = `${uniqueName('testkit.probe')}-value`;
    const v1 = await register(subject, avroRecord([{ name: 'id', type: 'string' }]));
    expect(v1.status).toBe(200);

    const withDefault = await register(
      subject,
      avroRecord([
        { name: 'id', type: 'string' },
        { name: 'note', type: 'string', default: '' },
      ]),
    );
    expect(withDefault.status).toBe(200);

    // A new field without a default cannot be read from records written with the old schema.
    const breaking = await register(
      subject,
      avroRecord([
        { name: 'id', type: 'string' },
        { name: 'note', type: 'string', default: '' },
        { name: 'amount', type: 'long' },
      ]),
    );
    expect(breaking.status).toBe(409);
  });

  it('has a Postgres that answers queries', async () => {
    const client = new pg.Client({ connectionString: stack.postgres.url });
    await client.connect();
    try {
      const result = await client.query<{ one: number }>('select 1 as one');
      expect(result.rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
  });
});
