import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { SchemaRegistryClient, recordFullName, topicRecordSubject } from './schema-registry-client.js';

// The library's failure shapes, as read in its source: HTTP failures are `ResponseError`s with `status`
// (network errors arrive as status 400), a lookup 404 becomes a bare ConfluentSchemaRegistryError.
const httpError = (status: number) =>
  Object.assign(new Error(`status ${status}`), { name: 'ResponseError', status });
const named = (name: string) => Object.assign(new Error(name), { name });

function clientOver(library: Partial<Record<keyof SchemaRegistry, unknown>>): SchemaRegistryClient {
  return new SchemaRegistryClient({
    url: 'http://unused',
    registry: { cache: { schemasByRegistryId: {} }, ...library } as unknown as SchemaRegistry,
  });
}

const schema = { type: 'record', name: 'A', namespace: 'x.y', fields: [] } as const;

describe('SchemaRegistryClient error mapping', () => {
  it('names subjects by TopicRecordNameStrategy', () => {
    expect(topicRecordSubject('commerce.order.v1', recordFullName(schema))).toBe('commerce.order.v1-x.y.A');
  });

  it('maps a 404 for an id to DECODE_UNKNOWN_SCHEMA, not retriable', async () => {
    const client = clientOver({ getSchema: () => Promise.reject(httpError(404)) });
    await expect(client.schemaById(7)).rejects.toMatchObject({
      code: 'DECODE_UNKNOWN_SCHEMA',
      retriable: false,
    });
  });

  it.each([400, 500, 503])(
    'maps status %i (network error or server fault) to a retriable unavailability',
    async (status) => {
      const client = clientOver({ getSchema: () => Promise.reject(httpError(status)) });
      await expect(client.schemaById(7)).rejects.toMatchObject({
        code: 'SCHEMA_REGISTRY_UNAVAILABLE',
        retriable: true,
      });
    },
  );

  it('registers only after a lookup miss, and maps refusals to non-retriable codes', async () => {
    let registered = 0;
    const client = clientOver({
      getRegistryIdBySchema: () => Promise.reject(named('ConfluentSchemaRegistryError')),
      register: () => {
        registered += 1;
        return Promise.resolve({ id: 11 });
      },
    });
    expect(await client.idFor('s', schema, { register: true })).toBe(11);
    expect(await client.idFor('s', schema, { register: true })).toBe(11);
    expect(registered).toBe(1);

    const incompatible = clientOver({
      getRegistryIdBySchema: () => Promise.reject(named('ConfluentSchemaRegistryError')),
      register: () => Promise.reject(httpError(409)),
    });
    await expect(incompatible.idFor('s', schema, { register: true })).rejects.toMatchObject({
      code: 'SCHEMA_INCOMPATIBLE',
      retriable: false,
    });
    const mismatch = clientOver({
      getRegistryIdBySchema: () => Promise.reject(named('ConfluentSchemaRegistryError')),
      register: () => Promise.reject(named('ConfluentSchemaRegistryCompatibilityError')),
    });
    await expect(mismatch.idFor('s', schema, { register: true })).rejects.toMatchObject({
      code: 'SCHEMA_REGISTRATION_FAILED',
    });
  });

  it('takes the id of a schema another process registered while this one was refused for the level', async () => {
    let lookups = 0;
    const client = clientOver({
      // The first lookup misses; after the refusal the other process's registration is there.
      getRegistryIdBySchema: () =>
        ++lookups === 1 ? Promise.reject(named('ConfluentSchemaRegistryError')) : Promise.resolve(23),
      register: () => Promise.reject(named('ConfluentSchemaRegistryCompatibilityError')),
    });
    expect(await client.idFor('s', schema, { register: true })).toBe(23);
    expect(lookups).toBe(2);
  });

  it('does not register when auto-registration is off', async () => {
    const client = clientOver({
      getRegistryIdBySchema: () => Promise.reject(named('ConfluentSchemaRegistryError')),
    });
    await expect(client.idFor('s', schema, { register: false })).rejects.toMatchObject({
      code: 'SCHEMA_NOT_REGISTERED',
      retriable: false,
      message: expect.stringContaining('auto-registration is off: run npm run schemas:register'),
    });
  });

  it('lists the subjects that miss their schema without registering any, and a miss is not remembered', async () => {
    const held = new Set(['held']);
    let registered = 0;
    const client = clientOver({
      getRegistryIdBySchema: (subject: string) =>
        held.has(subject) ? Promise.resolve(5) : Promise.reject(named('ConfluentSchemaRegistryError')),
      register: () => {
        registered += 1;
        return Promise.resolve({ id: 6 });
      },
    });
    const entries = ['held', 'missing-a', 'missing-b'].map((subject) => ({ subject, schema }));
    expect(await client.unregisteredSubjects(entries)).toEqual(['missing-a', 'missing-b']);
    expect(registered).toBe(0);

    held.add('missing-a');
    expect(await client.unregisteredSubjects(entries)).toEqual(['missing-b']);
  });

  it('does not call a subject missing when the registry cannot answer', async () => {
    const client = clientOver({ getRegistryIdBySchema: () => Promise.reject(httpError(503)) });
    await expect(client.unregisteredSubjects([{ subject: 's', schema }])).rejects.toMatchObject({
      code: 'SCHEMA_REGISTRY_UNAVAILABLE',
    });
  });
});
