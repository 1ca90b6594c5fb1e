import { z } from 'zod';
import { defineProblems } from '../problems/problem-catalogue.js';
import { openApiDocument } from './openapi-document.js';
import { defineRoute, defaultStatus, routerPath } from './route.js';
import { checkResponse, parseRouteInput } from './route-input.js';

const problems = defineProblems({ ORDER_NOT_FOUND: { status: 404, title: 'No such order' } });
const order = z
  .object({ id: z.uuid(), total: z.number().int(), placedAt: z.iso.datetime() })
  .meta({ id: 'Order' });
const showOrder = defineRoute({
  method: 'get',
  path: '/v1/orders/{id}',
  operationId: 'showOrder',
  summary: 'One order',
  scope: 'orders:read',
  request: { params: z.object({ id: z.uuid() }), query: z.object({ expand: z.enum(['lines']).optional() }) },
  responses: { 200: { description: 'The order.', schema: order } },
  problems: ['ORDER_NOT_FOUND'],
});
const placeOrder = defineRoute({
  method: 'post',
  path: '/v1/orders',
  operationId: 'placeOrder',
  summary: 'Place an order',
  request: { body: z.object({ total: z.number().int().positive() }).strict() },
  responses: { 201: { description: 'Placed.', schema: order } },
});

describe('route contracts', () => {
  it('refuse a params schema that does not match the path, and a route without a success', () => {
    expect(() =>
      defineRoute({ ...showOrder, request: { params: z.object({ orderId: z.string() }) } }),
    ).toThrow('path parameters id but params schema orderId');
    expect(() => defineRoute({ ...placeOrder, responses: { 400: { description: 'x' } } })).toThrow(
      'no success response',
    );
  });

  it('give the router path and the default status', () => {
    expect(routerPath(showOrder)).toBe('/v1/orders/:id');
    expect(defaultStatus(placeOrder)).toBe(201);
  });

  it('parse each request part and name every bad field in one problem', () => {
    expect(parseRouteInput(showOrder, { params: { id: '0190f1c2-0000-7000-8000-000000000001' } })).toEqual({
      params: { id: '0190f1c2-0000-7000-8000-000000000001' },
      query: {},
      headers: undefined,
      body: undefined,
    });
    let problem: { code?: string; detail?: string } = {};
    try {
      parseRouteInput(showOrder, { params: { id: 'nope' }, query: { expand: 'all' } });
    } catch (error) {
      problem = error as typeof problem;
    }
    expect(problem.code).toBe('REQUEST_INVALID');
    expect(problem.detail).toMatch(/^params: .*id/m);
    expect(problem.detail).toMatch(/^query: .*expand/m);
  });

  it('check answers against the schema of their status, as they go on the wire', () => {
    const id = '0190f1c2-0000-7000-8000-000000000001';
    const placedAt = new Date('2026-12-06T00:00:00.000Z');
    expect(checkResponse(showOrder, 200, { id, total: 5, placedAt, secret: 'x' })).toEqual({
      ok: true,
      body: { id, total: 5, placedAt: '2026-12-06T00:00:00.000Z' },
    });
    const wrong = checkResponse(showOrder, 200, { id, total: 'five', placedAt });
    expect(wrong.ok).toBe(false);
  });
});

describe('openApiDocument', () => {
  const document = openApiDocument({
    title: 'Orders',
    version: '1.2.0',
    description: 'test',
    routes: [showOrder, placeOrder],
    problems,
  }) as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
    components: {
      schemas: Record<string, unknown>;
      securitySchemes: Record<string, { description: string }>;
    };
  };

  it('describes parameters, bodies, responses and security from the contracts', () => {
    const show = document.paths['/v1/orders/{id}']!.get!;
    expect(show.security).toEqual([{ apiKey: ['orders:read'] }]);
    expect(show.parameters).toEqual([
      expect.objectContaining({ in: 'path', name: 'id', required: true }),
      { in: 'query', name: 'expand', schema: { type: 'string', enum: ['lines'] } },
    ]);
    expect(document.components.schemas).toHaveProperty('Order');
    expect(document.paths['/v1/orders']!.post!.requestBody).toMatchObject({ required: true });
    expect(document.components.securitySchemes.apiKey!.description).toContain('Scopes: orders:read.');
  });

  it('lists the problem codes of each route by status', () => {
    const responses = document.paths['/v1/orders/{id}']!.get!.responses as Record<
      string,
      Record<string, unknown>
    >;
    expect(responses['404']!['x-problem-codes']).toEqual(['ORDER_NOT_FOUND']);
    expect(responses['401']!['x-problem-codes']).toEqual([
      'API_KEY_EXPIRED',
      'API_KEY_INVALID',
      'API_KEY_MISSING',
      'API_KEY_REVOKED',
    ]);
    expect(responses['422']!['x-problem-codes']).toEqual(['REQUEST_INVALID']);
    const place = document.paths['/v1/orders']!.post!.responses as Record<string, Record<string, unknown>>;
    expect(place['415']!['x-problem-codes']).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
    expect(place).not.toHaveProperty('401');
  });

  it('documents the headers a route sends with its problem answers', () => {
    const limited = openApiDocument({
      title: 't',
      version: '1',
      description: 'd',
      routes: [
        {
          ...showOrder,
          problemHeaders: { 429: z.object({ 'Retry-After': z.int().describe('Seconds to wait.') }) },
        },
      ],
      problems,
    }) as { paths: Record<string, Record<string, { responses: Record<string, Record<string, unknown>> }>> };
    const responses = limited.paths['/v1/orders/{id}']!.get!.responses;
    expect(responses['429']!.headers).toEqual({
      'Retry-After': expect.objectContaining({ description: 'Seconds to wait.', required: true }),
    });
    expect(responses['404']).not.toHaveProperty('headers');
  });

  it('refuses a route naming a problem its catalogue lacks', () => {
    expect(() =>
      openApiDocument({
        title: 't',
        version: '1',
        description: 'd',
        routes: [{ ...placeOrder, problems: ['NO_SUCH_CODE'] }],
        problems,
      }),
    ).toThrow('names problem NO_SUCH_CODE');
  });
});
