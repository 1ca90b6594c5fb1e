import { readFileSync } from 'node:fs';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/**
 * The console is plain files beside the package (no build step): the same path resolves from src/ under
 * jest and from dist/ in production, both two levels below the package root.
 */
const consoleDir = new URL('../../console/', import.meta.url);

/** Only these names are served: a fixed list rules out path traversal without parsing paths. */
const ASSETS: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/**
 * The page renders attacker-controlled bytes (payloads, headers, stacks): the policy forbids inline and foreign
 * scripts, so a rendering slip cannot run code, and framing, so a confirmation cannot be clickjacked.
 */
export const CONSOLE_CSP =
  "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; form-action 'self'";

function loadAssets(): Map<string, Buffer> {
  return new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(new URL(name, consoleDir))]));
}

/** `GET /console` and its assets under `/console/*`; the page calls /v1/dead-letters with the key pasted in. */
@Controller('console')
export class ConsoleController {
  // Read once at start: a missing file fails the boot, not the first SRE who opens the page.
  private readonly assets = loadAssets();

  @Get()
  page(@Res() reply: FastifyReply): void {
    this.send(reply, 'index.html');
  }

  @Get(':asset')
  asset(@Param('asset') asset: string, @Res() reply: FastifyReply): void {
    if (!Object.hasOwn(ASSETS, asset)) throw new NotFoundException(`No console asset ${asset}.`);
    this.send(reply, asset);
  }

  private send(reply: FastifyReply, name: string): void {
    void reply
      .header('content-type', ASSETS[name]!)
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .send(this.assets.get(name));
  }
}
