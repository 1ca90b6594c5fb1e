import type { DomainEvent } from '@tributary/contracts';
import { activeTraceparent, startTracing, withSpan } from '@tributary/observability';
import {
  cloudEventHeaders,
  envelopeFromHeaders,
  isValidTraceparent,
  newTraceparent,
} from './cloud-events.js';

const event: DomainEvent = {
  id: '01890a5d-ac96-774b-bcce-b302099a8057',
  type: 'commerce.order.placed',
  source: '/tributary/test',
  subject: 'order-1',
  time: '2025-01-02T03:04:05.678Z',
  data: {},
};

describe('CloudEvents headers', () => {
  it('sets the binary-mode attributes, content type, a fresh trace and self-correlation for a root event', () => {
    const headers = cloudEventHeaders(event);
    expect(headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_source: '/tributary/test',
      ce_type: 'commerce.order.placed',
      ce_time: event.time,
      ce_subject: 'order-1',
      'content-type': 'application/avro',
      'correlation-id': event.id,
    });
    expect(isValidTraceparent(headers.traceparent!)).toBe(true);
    expect(headers).not.toHaveProperty('causation-id');
  });

  it('keeps a valid traceparent and the causal chain, and replaces an invalid traceparent', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const caused = { ...event, traceparent, correlationId: 'c-1', causationId: 'e-0' };
    expect(cloudEventHeaders(caused)).toMatchObject({
      traceparent,
      'correlation-id': 'c-1',
      'causation-id': 'e-0',
    });
    const broken = cloudEventHeaders({
      ...event,
      traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    });
    expect(broken.traceparent).not.toContain('00000000000000000000000000000000');
    expect(isValidTraceparent(broken.traceparent!)).toBe(true);
  });

  it('generates distinct W3C traceparents', () => {
    const a = newTraceparent();
    expect(a).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(newTraceparent()).not.toBe(a);
  });

  it('reads the envelope back from byte headers, subject falling back to the key', () => {
    const bytes = Object.fromEntries(
      Object.entries(cloudEventHeaders({ ...event, causationId: 'e-0' })).map(([k, v]) => [
        k,
        Buffer.from(v),
      ]),
    );
    delete bytes.ce_subject;
    const envelope = envelopeFromHeaders(bytes, Buffer.from('order-9'));
    expect(envelope).toMatchObject({
      id: event.id,
      type: event.type,
      subject: 'order-9',
      causationId: 'e-0',
    });
  });

  it('names every missing required header in DECODE_MISSING_HEADERS', () => {
    expect(() => envelopeFromHeaders({ ce_id: Buffer.from('x') }, null)).toThrow(
      expect.objectContaining({
        code: 'DECODE_MISSING_HEADERS',
        retriable: false,
        message: expect.stringContaining('ce_specversion, ce_source, ce_type, ce_time, ce_subject'),
      }),
    );
  });
});

describe('CloudEvents headers inside a trace', () => {
  it("give an event without a traceparent the active span's, so its consumers continue the writer's trace", async () => {
    const tracing = await startTracing({ serviceName: 'unit' });
    try {
      const writer = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      await withSpan('POST /v1/webhooks/:provider', { kind: 'server', traceparent: writer }, async () => {
        const active = activeTraceparent()!;
        expect(active).toContain('4bf92f3577b34da6a3ce929d0e0e4736');
        expect(cloudEventHeaders(event).traceparent).toBe(active);
        // An event's own traceparent still wins (a body that states its trace, a replay).
        const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
        expect(cloudEventHeaders({ ...event, traceparent: own }).traceparent).toBe(own);
      });
    } finally {
      await tracing.shutdown();
    }
  });
});
