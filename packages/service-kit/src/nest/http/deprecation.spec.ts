import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { z } from 'zod';
import { deprecationProblems } from '../../http/deprecation.js';
import { openApiDocument } from '../../http/openapi-document.js';
import { defineRoute } from '../../http/route.js';
import type { RouteInput } from '../../http/route.js';
import { defineProblems } from '../../problems/problem-catalogue.js';
import { ProblemError } from '../../problems/problem-error.js';
import { ProblemDetailsFilter } from '../problems/problem-details.filter.js';
import { PROBLEM_CATALOGUE, SERVICE_OPTIONS } from '../tokens.js';
import { Input, Route } from './route.decorator.js';
import { ResponseCheckInterceptor } from './response-check.interceptor.js';

const guide = 'https://docs.example.test/migrations/widgets-v2';
const widget = z.object({ id: z.string() });
const problems = defineProblems({ WIDGET_UNKNOWN: { status: 404, title: 'No such widget' } });
// Deprecated on 2026-11-01, retired in 2100: served, with the headers.
const oldWidget = defineRoute({
  method: 'get',
  path: '/v1/widgets/{id}',
  operationId: 'showWidgetV1',
  summary: 'One widget (v1)',
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: { description: 'The widget.', schema: widget } },
  problems: ['WIDGET_UNKNOWN'],
  deprecation: { announced: '2026-11-01', sunset: '2100-01-01T00:00:00Z', guide },
});
// Past its sunset: the handler must not run.
const retiredWidget = defineRoute({
  method: 'post',
  path: '/v0/widgets',
  operationId: 'createWidgetV0',
  summary: 'Create a widget (v0)',
  responses: { 201: { description: 'Created.', schema: widget } },
  deprecation: { announced: '2025-01-01', sunset: '2025-06-30', guide: '/docs/migrations/widgets-v1' },
});
const currentWidget = defineRoute({
  method: 'get',
  path: '/v2/widgets/{id}',
  operationId: 'showWidget',
  summary: 'One widget',
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: { description: 'The widget.', schema: widget } },
});

let retiredCalls = 0;

@Controller()
class WidgetsController {
  @Route(oldWidget)
  show(@Input() input: RouteInput<typeof oldWidget>) {
    if (input.params.id === 'missing') throw new ProblemError('WIDGET_UNKNOWN', 'No widget has this id.');
    return { id: input.params.id };
  }

  @Route(retiredWidget)
  create() {
    retiredCalls += 1;
    return { id: 'new' };
  }

  @Route(currentWidget)
  current(@Input() input: RouteInput<typeof currentWidget>) {
    return { id: input.params.id };
  }
}

@Module({
  controllers: [WidgetsController],
  providers: [
    // As ServiceModule provides them: the runtime catalogue knows ROUTE_SUNSET in every app.
    { provide: PROBLEM_CATALOGUE, useValue: { ...deprecationProblems, ...problems } },
    { provide: SERVICE_OPTIONS, useValue: {} },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_INTERCEPTOR, useClass: ResponseCheckInterceptor },
  ],
})
class WidgetsModule {}

describe('deprecated routes', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(WidgetsModule, new FastifyAdapter(), {
      logger: false,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answer as before, with Deprecation (RFC 9745), Sunset (RFC 8594) and the guide as Link', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/widgets/w-1' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id: 'w-1' });
    expect(response.headers['deprecation']).toBe(`@${Date.UTC(2026, 10, 1) / 1000}`);
    expect(response.headers['sunset']).toBe('Fri, 01 Jan 2100 00:00:00 GMT');
    expect(response.headers['link']).toBe(
      `<${guide}>; rel="deprecation"; type="text/html", <${guide}>; rel="sunset"; type="text/html"`,
    );
  });

  it("keep the headers on the handler's problem answers", async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/widgets/missing' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'WIDGET_UNKNOWN' });
    expect(response.headers['deprecation']).toBe(`@${Date.UTC(2026, 10, 1) / 1000}`);
  });

  it('answer 410 ROUTE_SUNSET from the sunset on, naming the guide, without running the handler', async () => {
    const response = await app.inject({ method: 'POST', url: '/v0/widgets' });
    expect(response.statusCode).toBe(410);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      code: 'ROUTE_SUNSET',
      status: 410,
      detail: expect.stringContaining('/docs/migrations/widgets-v1'),
    });
    expect(response.headers['sunset']).toBe('Mon, 30 Jun 2025 00:00:00 GMT');
    expect(response.headers['link']).toContain('</docs/migrations/widgets-v1>; rel="deprecation"');
    expect(retiredCalls).toBe(0);
  });

  it('leave other routes alone', async () => {
    const response = await app.inject({ method: 'GET', url: '/v2/widgets/w-1' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['deprecation']).toBeUndefined();
    expect(response.headers['sunset']).toBeUndefined();
    expect(response.headers['link']).toBeUndefined();
  });
});

describe('the OpenAPI document of deprecated routes', () => {
  const document = openApiDocument({
    title: 'widgets',
    version: '1.0.0',
    description: 'test',
    routes: [oldWidget, retiredWidget, currentWidget],
    problems,
  }) as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
    components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } };
  };
  const operation = (path: string, method: string) =>
    document.paths[path]![method]! as {
      deprecated?: boolean;
      description?: string;
      responses: Record<string, { headers?: Record<string, unknown>; 'x-problem-codes'?: string[] }>;
    };

  it('marks the operation deprecated, with the dates and the guide in its description', () => {
    const show = operation('/v1/widgets/{id}', 'get');
    expect(show.deprecated).toBe(true);
    expect(show.description).toBe(
      `Deprecated since 2026-11-01T00:00:00.000Z; from 2100-01-01T00:00:00.000Z on it answers 410 ROUTE_SUNSET. Migration guide: ${guide}`,
    );
    expect(operation('/v2/widgets/{id}', 'get').deprecated).toBeUndefined();
  });

  it('documents the headers on every answer and the 410, whose code the Problem schema lists', () => {
    const show = operation('/v1/widgets/{id}', 'get');
    expect(Object.keys(show.responses['200']!.headers ?? {}).sort()).toEqual([
      'Deprecation',
      'Link',
      'Sunset',
    ]);
    expect(Object.keys(show.responses['404']!.headers ?? {}).sort()).toEqual([
      'Deprecation',
      'Link',
      'Sunset',
    ]);
    expect(show.responses['410']!['x-problem-codes']).toEqual(['ROUTE_SUNSET']);
    expect(operation('/v2/widgets/{id}', 'get').responses['410']).toBeUndefined();
    expect(document.components.schemas.Problem.properties.code.enum).toContain('ROUTE_SUNSET');
  });

  it('adds nothing to the document of an app without a deprecated route', () => {
    const plain = openApiDocument({
      title: 'widgets',
      version: '1.0.0',
      description: 'test',
      routes: [currentWidget],
      problems,
    }) as typeof document;
    expect(plain.components.schemas.Problem.properties.code.enum).not.toContain('ROUTE_SUNSET');
  });
});

describe('defineRoute with a deprecation', () => {
  it('refuses a window under 30 days, a date that is not ISO 8601 and a guide that is not a URL', () => {
    const base = { ...currentWidget, operationId: 'x' };
    expect(() =>
      defineRoute({ ...base, deprecation: { announced: '2026-11-01', sunset: '2026-11-20', guide } }),
    ).toThrow('route x: sunset must be at least 30 days after announced');
    expect(() =>
      defineRoute({ ...base, deprecation: { announced: 'next week', sunset: '2027-01-01', guide } }),
    ).toThrow('deprecation announced "next week" is not an ISO 8601 date');
    expect(() =>
      defineRoute({
        ...base,
        deprecation: { announced: '2026-11-01', sunset: '2027-01-01', guide: 'docs/x.md' },
      }),
    ).toThrow('guide must be an http(s) URL or a path');
  });
});
