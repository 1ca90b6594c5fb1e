import { childLogger, createLogger } from './logger.js';
import { runWithLogContext, traceIdFromTraceparent } from './log-context.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(JSON.parse(line)) } };
}

describe('createLogger', () => {
  it('writes one JSON object per line with service, level label and ISO time', () => {
    const { lines, destination } = capture();
    createLogger({ service: 'ingestion', destination }).info({ topic: 'payments.payment.v1' }, 'published');

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'ingestion',
      topic: 'payments.payment.v1',
      msg: 'published',
    });
    expect(new Date(lines[0]!.time as string).toISOString()).toBe(lines[0]!.time);
  });

  it('redacts secret fields and headers at the depths log objects have', () => {
    const { lines, destination } = capture();
    createLogger({ service: 's', destination }).info({
      password: 'hunter2',
      apiKey: 'k-1',
      user: { name: 'ada', token: 't-1', client_secret: 'cs' },
      req: {
        method: 'POST',
        headers: {
          authorization: 'Bearer abc',
          cookie: 'session=1',
          'x-api-key': 'k-2',
          'content-type': 'application/json',
        },
      },
      res: { headers: { 'set-cookie': 'session=2' } },
      config: { databaseUrl: 'postgres://u:p@h/db' },
    });

    const line = lines[0]!;
    expect(line.password).toBe('[REDACTED]');
    expect(line.apiKey).toBe('[REDACTED]');
    expect(line.user).toEqual({ name: 'ada', token: '[REDACTED]', client_secret: '[REDACTED]' });
    expect(line.req).toEqual({
      method: 'POST',
      headers: {
        authorization: '[REDACTED]',
        cookie: '[REDACTED]',
        'x-api-key': '[REDACTED]',
        'content-type': 'application/json',
      },
    });
    expect(line.res).toEqual({ headers: { 'set-cookie': '[REDACTED]' } });
    expect(line.config).toEqual({ databaseUrl: '[REDACTED]' });
    expect(JSON.stringify(line)).not.toMatch(/hunter2|Bearer abc|session=|k-1|k-2|u:p@/);
  });

  it("redacts the ownership map's personal data fields of an event logged with its data, and nothing else", () => {
    const { lines, destination } = capture();
    const logger = createLogger({ service: 'connector-crm', destination });
    logger.info(
      {
        event: {
          type: 'crm.contact.upserted',
          subject: 'c-1',
          data: { contactId: 'c-1', email: 'ada@example.com', givenName: 'Ada', locale: 'en-GB' },
        },
      },
      'contact upserted',
    );
    logger.warn(
      {
        shipment: { destination: { recipientName: 'Ada Lovelace', line1: '12 St James Sq', city: 'London' } },
        // `line1` is personal only as the shipment destination's field: elsewhere it is left as it is.
        form: { line1: 'heading' },
      },
      'shipment requested',
    );

    expect(lines[0]!.event).toEqual({
      type: 'crm.contact.upserted',
      subject: 'c-1',
      data: { contactId: 'c-1', email: '[REDACTED]', givenName: '[REDACTED]', locale: 'en-GB' },
    });
    expect(lines[1]).toMatchObject({
      shipment: { destination: { recipientName: '[REDACTED]', line1: '[REDACTED]', city: 'London' } },
      form: { line1: 'heading' },
    });
    expect(JSON.stringify(lines)).not.toMatch(/ada@example\.com|Ada Lovelace|St James/);
  });

  it('redacts at any depth, in any letter case, inside arrays and errors, without touching the caller object', () => {
    const { lines, destination } = capture();
    const failure = Object.assign(new Error('401 from provider'), {
      request: { headers: { Authorization: 'Bearer leaked' } },
    });
    const fields = {
      a: { b: { c: { d: { Password: 'deep' } } } },
      calls: [{ headers: { 'X-API-KEY': 'k-3' } }],
      err: failure,
    };
    createLogger({ service: 's', destination }).error(fields, 'provider call failed');

    const line = lines[0]!;
    expect(line.a).toEqual({ b: { c: { d: { Password: '[REDACTED]' } } } });
    expect(line.calls).toEqual([{ headers: { 'X-API-KEY': '[REDACTED]' } }]);
    expect(line.err).toMatchObject({
      type: 'Error',
      message: '401 from provider',
      request: { headers: { Authorization: '[REDACTED]' } },
    });
    expect(fields.a.b.c.d.Password).toBe('deep');
    expect(failure.request.headers.Authorization).toBe('Bearer leaked');
  });

  it('redacts secrets in child bindings, app-specific keys and pino redact paths', () => {
    const { lines, destination } = capture();
    const logger = createLogger({
      service: 's',
      destination,
      redactKeys: ['iban'],
      redactPaths: ['payload.card.number'],
    });
    logger.child({ secret: 'whsec_abc' }).info({
      iban: 'DE89370400440532013000',
      amount: 5,
      payload: { card: { number: '4242', brand: 'visa' } },
    });

    expect(lines[0]).toMatchObject({
      secret: '[REDACTED]',
      iban: '[REDACTED]',
      amount: 5,
      payload: { card: { number: '[REDACTED]', brand: 'visa' } },
    });
  });

  it('binds event, correlation and trace ids on a child logger, leaving unset ids out', () => {
    const { lines, destination } = capture();
    const logger = childLogger(createLogger({ service: 's', destination }), {
      eventId: 'e-1',
      correlationId: 'c-1',
      traceId: undefined,
      topic: 't',
    });
    logger.info('handled');

    expect(lines[0]).toMatchObject({ eventId: 'e-1', correlationId: 'c-1', topic: 't' });
    expect(lines[0]).not.toHaveProperty('traceId');
  });

  it('adds the ids of the async log context to lines written inside it, and only there', async () => {
    const { lines, destination } = capture();
    const logger = createLogger({ service: 's', destination });

    await runWithLogContext({ eventId: 'e-1', traceId: 'a'.repeat(32) }, async () => {
      await Promise.resolve();
      runWithLogContext({ correlationId: 'c-1' }, () => logger.info('inner'));
      logger.info('outer');
    });
    logger.info('outside');

    expect(lines[0]).toMatchObject({
      msg: 'inner',
      eventId: 'e-1',
      correlationId: 'c-1',
      traceId: 'a'.repeat(32),
    });
    expect(lines[1]).toMatchObject({ msg: 'outer', eventId: 'e-1' });
    expect(lines[1]).not.toHaveProperty('correlationId');
    expect(lines[2]).not.toHaveProperty('eventId');
  });

  it('respects the level threshold', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ service: 's', level: 'warn', destination });
    logger.info('dropped');
    logger.warn('kept');
    expect(lines.map((l) => l.msg)).toEqual(['kept']);
  });
});

describe('traceIdFromTraceparent', () => {
  it('extracts the trace id of a valid header', () => {
    expect(traceIdFromTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
  });

  it.each([undefined, '', 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'])(
    'treats %p as no trace',
    (header) => {
      expect(traceIdFromTraceparent(header)).toBeUndefined();
    },
  );
});
