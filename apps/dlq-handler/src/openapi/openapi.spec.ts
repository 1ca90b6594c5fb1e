import { readFileSync } from 'node:fs';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DeadLettersController } from '../dead-letters/dead-letters.controller.js';
import { openApiDocument, renderOpenApi } from './openapi.document.js';

const committed = new URL('../../openapi.json', import.meta.url);

/** Routes as Nest registers them: controller path + handler path, `:param` as `{param}`. */
function routesOf(controller: new (...args: never[]) => unknown): string[] {
  const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
  return Object.getOwnPropertyNames(controller.prototype).flatMap((name) => {
    const handler = (controller.prototype as Record<string, unknown>)[name];
    if (name === 'constructor' || typeof handler !== 'function') return [];
    const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (path === undefined || method === undefined) return [];
    const full = `/${[base, path]
      .filter((p) => p && p !== '/')
      .map((p) => p.replace(/^\/|\/$/g, ''))
      .join('/')}`;
    return [`${RequestMethod[method]!.toLowerCase()} ${full.replace(/:(\w+)/g, '{$1}')}`];
  });
}

describe('OpenAPI document', () => {
  it('is committed as generated (npm run openapi -w @tributary/dlq-handler regenerates it)', () => {
    expect(JSON.parse(readFileSync(committed, 'utf8'))).toEqual(JSON.parse(renderOpenApi()));
  });

  it('describes every API route the controller serves, and nothing else', () => {
    const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
    const documented = Object.entries(paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
      .sort();
    expect(documented).toEqual(routesOf(DeadLettersController).sort());
  });
});
