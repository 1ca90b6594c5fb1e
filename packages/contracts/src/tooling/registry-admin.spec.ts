import { SchemaRegistryAdmin } from './registry-admin.js';

/** A fetch that records requests and answers from a script; unit tests only (the int-spec uses the real registry). */
function scripted(...answers: (Response | Error)[]) {
  const calls: { url: string; method: string; body: unknown }[] = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    calls.push({
      url,
      method: init.method ?? 'GET',
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    });
    const answer = answers.shift();
    if (!answer || answer instanceof Error) throw answer ?? new Error('no scripted answer');
    return answer;
  }) as unknown as typeof fetch;
  return {
    calls,
    admin: new SchemaRegistryAdmin({ url: 'http://registry.test/apis/ccompat/v7/', fetch: fetchFn }),
  };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });

describe('SchemaRegistryAdmin', () => {
  it('encodes subjects in paths and sends the schema as text', async () => {
    const { admin, calls } = scripted(json(200, { id: 7 }));
    await expect(admin.register('a.v1-tributary.a.B', '{"type":"string"}')).resolves.toEqual({ id: 7 });
    expect(calls).toEqual([
      {
        url: 'http://registry.test/apis/ccompat/v7/subjects/a.v1-tributary.a.B/versions',
        method: 'POST',
        body: { schema: '{"type":"string"}', schemaType: 'AVRO' },
      },
    ]);
  });

  it('treats an unknown subject as having no versions and no schema', async () => {
    const { admin } = scripted(json(404, { error_code: 40401 }), json(404, { error_code: 40403 }));
    await expect(admin.listVersions('nope')).resolves.toEqual([]);
    await expect(admin.lookup('nope', '"string"')).resolves.toBeUndefined();
  });

  it('maps refusals to stable codes with the registry detail', async () => {
    const { admin } = scripted(
      json(409, { error_code: 409, message: 'Incompatible artifact' }),
      json(422, { error_code: 42201, message: 'Invalid schema' }),
      json(503, { message: 'busy' }),
      new TypeError('fetch failed'),
    );
    await expect(admin.register('s', '{}')).rejects.toMatchObject({
      code: 'SCHEMA_REGISTRY_INCOMPATIBLE',
      status: 409,
      retriable: false,
      message: expect.stringContaining('Incompatible artifact'),
    });
    await expect(admin.register('s', '{}')).rejects.toMatchObject({
      code: 'SCHEMA_REGISTRY_INVALID_SCHEMA',
      registryErrorCode: 42201,
    });
    await expect(admin.getVersion('s', 1)).rejects.toMatchObject({
      code: 'SCHEMA_REGISTRY_ERROR',
      retriable: true,
    });
    await expect(admin.listVersions('s')).rejects.toMatchObject({
      code: 'SCHEMA_REGISTRY_UNREACHABLE',
      retriable: true,
    });
  });
});
