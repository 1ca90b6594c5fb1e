import { eventCatalogue } from '@tributary/contracts';
import avro from 'avsc';
import { Webhook } from 'standardwebhooks';
import { mapProviderEvent } from '../definition.js';
import type { MappingContext } from '../definition.js';
import { createVerifier } from '../verifier.js';
import { webhookDefinitions } from '../providers/index.js';
import { buildWebhookDefinitions, configuredWebhook } from './configured-webhook.js';
import { resolvePointer } from './json-pointer.js';
import { parseWebhookSources } from './source-config.js';

const secret = `whsec_${Buffer.from('a configured source secret').toString('base64')}`;

const acme = {
  name: 'acme',
  scheme: { type: 'standard-webhooks' },
  secretsEnv: 'ACME_WEBHOOK_SECRETS',
  dedupeId: { header: 'webhook-id' },
  eventType: { pointer: '/type' },
  objectId: { pointer: '/data/invoice~1id' },
  occurredAt: { pointer: '/timestamp', format: 'iso8601' },
};

const parse = (sources: unknown) => parseWebhookSources(JSON.stringify(sources), 'WEBHOOK_SOURCES');

function context(rawBody?: Buffer): MappingContext {
  return {
    provider: 'acme',
    source: '/tributary/ingestion/webhooks/acme',
    receivedAt: new Date('2026-12-01T10:00:05Z'),
    refs: { find: async () => undefined, getOrCreate: async () => 'never' },
    correlationId: '01930000-0000-7000-8000-000000000001',
    newEventId: () => '01930000-0000-7000-8000-000000000002',
    ...(rawBody ? { rawBody } : {}),
  };
}

describe('webhook sources by configuration', () => {
  it('reads a source with defaults for domain and retry horizon', () => {
    const { sources, problems } = parse([acme]);
    expect(problems).toEqual([]);
    expect(sources[0]).toMatchObject({
      name: 'acme',
      domain: 'integrations',
      retryHorizonSeconds: 3 * 24 * 3600,
    });
  });

  it('names the source, its position and the field of every problem', () => {
    const { sources, problems } = parse([
      acme,
      { ...acme, name: 'Bad Name' },
      { ...acme, name: 'beta', scheme: { type: 'hmac', encoding: 'hex' } },
      { ...acme, name: 'gamma', dedupeId: { header: 'x-id', pointer: '/id' } },
      { ...acme, name: 'delta', eventType: { pointer: 'type' }, secretsEnv: 'DELTA_SECRETS_FILE' },
      { ...acme, name: 'eps', scheme: { type: 'svix' }, extra: true },
      { ...acme },
    ]);
    expect(sources.map((s) => s.name)).toEqual(['acme']);
    expect(problems).toEqual([
      expect.stringMatching(/^WEBHOOK_SOURCES: source "Bad Name" \(#2\) name: expected a lower-case slug/),
      expect.stringMatching(/^WEBHOOK_SOURCES: source "beta" \(#3\) scheme\.signatureHeader: /),
      expect.stringMatching(
        /^WEBHOOK_SOURCES: source "gamma" \(#4\) dedupeId: give either "pointer" .* or "header"/,
      ),
      expect.stringMatching(/^WEBHOOK_SOURCES: source "delta" \(#5\) secretsEnv: name the variable/),
      expect.stringMatching(
        /^WEBHOOK_SOURCES: source "delta" \(#5\) eventType\.pointer: expected a JSON pointer/,
      ),
      `WEBHOOK_SOURCES: source "eps" (#6) scheme.type: Invalid discriminator value. Expected 'standard-webhooks' | 'stripe' | 'github' | 'hmac'`,
      'WEBHOOK_SOURCES: source "eps" (#6) (source): Unrecognized key: "extra"',
      'WEBHOOK_SOURCES: source "acme" (#7) name: declared twice',
    ]);
  });

  it('refuses text that is not a JSON array of sources', () => {
    expect(parseWebhookSources('{"name":"acme"}', 'WEBHOOK_SOURCES_FILE').problems).toEqual([
      'WEBHOOK_SOURCES_FILE: expected a JSON array of sources',
    ]);
    expect(parseWebhookSources('[', 'WEBHOOK_SOURCES').problems[0]).toMatch(/^WEBHOOK_SOURCES: not JSON/);
    expect(parseWebhookSources(undefined, 'WEBHOOK_SOURCES')).toEqual({ sources: [], problems: [] });
  });

  it('refuses a coded provider name, a shared secrets variable and an HMAC template it cannot make', () => {
    const { sources } = parse([
      { ...acme, name: 'stripe' },
      { ...acme, name: 'copycat', secretsEnv: 'GITHUB_WEBHOOK_SECRETS' },
      {
        ...acme,
        name: 'odd',
        secretsEnv: 'ODD_SECRETS',
        scheme: { type: 'hmac', signatureHeader: 'x-sig', encoding: 'hex', signedContent: '{body}{nope}' },
      },
      acme,
    ]);
    const { definitions, problems } = buildWebhookDefinitions(webhookDefinitions, sources, 'WEBHOOK_SOURCES');
    expect(problems).toEqual([
      'WEBHOOK_SOURCES: source "stripe" name: stripe is already a webhook provider',
      'WEBHOOK_SOURCES: source "copycat" secretsEnv: GITHUB_WEBHOOK_SECRETS already holds github\'s secrets',
      expect.stringMatching(/^WEBHOOK_SOURCES: source "odd" scheme: hmacScheme: unknown placeholder/),
    ]);
    expect(Object.keys(definitions).sort()).toEqual(['acme', 'easypost', 'github', 'hubspot', 'stripe']);
    expect(definitions.stripe).toBe(webhookDefinitions.stripe);
  });

  it('verifies what the standardwebhooks library signs and publishes the body as signed', async () => {
    const definition = configuredWebhook(parse([acme]).sources[0]!);
    // Spacing and member order a re-serialization would lose.
    const body = Buffer.from(
      '{ "type": "invoice.paid", "timestamp": "2026-12-01T10:00:00Z", "data": {"invoice/id": "inv_1", "n": 1.0} }',
    );
    const at = new Date('2026-12-01T10:00:05Z');
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(at.getTime() / 1000),
      'webhook-signature': new Webhook(secret).sign('msg_1', at, body.toString('utf8')),
    };
    const request = { method: 'POST', url: 'https://x/webhooks/acme', headers, body };
    expect(createVerifier(definition.scheme, [secret]).verify(request, at).secretIndex).toBe(0);

    const [event] = definition.events(JSON.parse(body.toString('utf8')), request);
    expect(event).toMatchObject({
      dedupeKey: 'msg_1',
      type: 'invoice.paid',
      occurredAt: new Date('2026-12-01T10:00:00Z'),
    });
    const result = await mapProviderEvent(definition, event!, context(body));
    if (result.status !== 'mapped') throw new Error(`not mapped: ${result.status}`);
    const published = result.events[0]!;
    expect(published).toMatchObject({ type: 'integrations.webhook.received', subject: 'acme:inv_1' });
    expect(published.data).toEqual({
      subject: 'acme:inv_1',
      provider: 'acme',
      eventType: 'invoice.paid',
      dedupeId: 'msg_1',
      objectId: 'inv_1',
      payload: body.toString('utf8'),
      eventLogId: '01930000-0000-7000-8000-000000000001',
      receivedAt: at.getTime(),
      occurredAt: Date.parse('2026-12-01T10:00:00Z'),
    });
    const type = avro.Type.forSchema(eventCatalogue['integrations.webhook.received'].schema as avro.Schema);
    expect(type.isValid(published.data)).toBe(true);
  });

  it('keys by the dedupe id without an object id, and refuses a delivery without its ids', async () => {
    const definition = configuredWebhook(
      parse([{ ...acme, objectId: undefined, occurredAt: undefined, eventType: { header: 'x-event' } }])
        .sources[0]!,
    );
    const request = (headers: Record<string, string>) => ({
      method: 'POST',
      url: '',
      headers,
      body: Buffer.from('{}'),
    });
    const [event] = definition.events({}, request({ 'webhook-id': '42', 'x-event': 'ping' }));
    const result = await mapProviderEvent(definition, event!, context());
    expect(result.status === 'mapped' && result.events[0]!.subject).toBe('acme:42');
    expect(() => definition.events({}, request({ 'x-event': 'ping' }))).toThrow(
      expect.objectContaining({
        code: 'WEBHOOK_PAYLOAD_INVALID',
        message:
          'acme: no dedupeId at header webhook-id (a non-empty string or integer of at most 255 characters)',
      }),
    );
    expect(() => definition.events({}, request({ 'webhook-id': '42' }))).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_PAYLOAD_INVALID' }),
    );
  });

  it('caps the object id at 255 characters as it caps the dedupe id and type', async () => {
    const definition = configuredWebhook(parse([{ ...acme, occurredAt: undefined }]).sources[0]!);
    const request = { method: 'POST', url: '', headers: { 'webhook-id': 'msg_1' }, body: Buffer.from('{}') };
    const body = (id: string) => ({ type: 'invoice.paid', data: { 'invoice/id': id } });

    const [longest] = definition.events(body('i'.repeat(255)), request);
    const result = await mapProviderEvent(definition, longest!, context());
    expect(result.status === 'mapped' && result.events[0]!.subject).toBe(`acme:${'i'.repeat(255)}`);
    expect(() => definition.events(body('i'.repeat(256)), request)).toThrow(
      expect.objectContaining({
        code: 'WEBHOOK_PAYLOAD_INVALID',
        message: 'acme: objectId at JSON pointer "/data/invoice~1id" is longer than 255 characters',
      }),
    );
    // An entry stored before the cap is not published under an oversized key when replayed.
    const stored = { dedupeKey: 'msg_2', type: 'invoice.paid', payload: body('i'.repeat(256)) };
    expect(await mapProviderEvent(definition, stored, context())).toMatchObject({
      status: 'invalid',
      reason: expect.stringContaining('objectId at JSON pointer "/data/invoice~1id" is longer than 255'),
    });
  });

  it('refuses an occurredAt present but unreadable, and leaves out one absent', () => {
    const definition = configuredWebhook(parse([acme]).sources[0]!);
    const request = { method: 'POST', url: '', headers: { 'webhook-id': 'm' }, body: Buffer.from('{}') };
    expect(definition.events({ type: 't' }, request)[0]!.occurredAt).toBeUndefined();
    expect(() => definition.events({ type: 't', timestamp: 'yesterday' }, request)).toThrow(
      expect.objectContaining({
        code: 'WEBHOOK_PAYLOAD_INVALID',
        message: 'acme: occurredAt at JSON pointer "/timestamp" is not iso8601',
      }),
    );
  });

  it('resolves JSON pointers as RFC 6901 does', () => {
    const document = { a: [{ 'b/c': 1, 'm~n': 2 }], '': 3 };
    expect(resolvePointer(document, '')).toBe(document);
    expect(resolvePointer(document, '/a/0/b~1c')).toBe(1);
    expect(resolvePointer(document, '/a/0/m~0n')).toBe(2);
    expect(resolvePointer(document, '/')).toBe(3);
    expect(resolvePointer(document, '/a/01')).toBeUndefined();
    expect(resolvePointer(document, '/a/-')).toBeUndefined();
    expect(resolvePointer(document, '/toString')).toBeUndefined();
  });
});
