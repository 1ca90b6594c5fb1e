import { z } from 'zod';
import type { ProblemCatalogue } from '../problems/problem-catalogue.js';

/**
 * A route on its way out (docs/migrations/README.md). While it lives it answers as before, with
 * `Deprecation` (RFC 9745), `Sunset` (RFC 8594) and a `Link` to its migration guide on every answer; from
 * `sunset` on it answers 410 ROUTE_SUNSET with the same headers, so a client that missed the notice learns
 * where to go instead of meeting a 404 that looks like a typo.
 */
export interface RouteDeprecation {
  /** When the route was deprecated (ISO 8601 date or date-time, UTC when no offset is given). */
  readonly announced: string;
  /** From when it answers 410 (ISO 8601). At least 30 days after `announced`. */
  readonly sunset: string;
  /** The migration guide: an absolute URL, or a path on this service's host. */
  readonly guide: string;
}

/** The answer of a route past its sunset; added to a catalogue only where a route is deprecated. */
export const deprecationProblems = {
  ROUTE_SUNSET: { status: 410, title: 'This route was retired' },
} as const satisfies ProblemCatalogue;

// The window clients are promised between the notice and the 410, as for topics (contracts CHANGELOG).
const minimumWindowMs = 30 * 24 * 60 * 60 * 1000;

/** The dates as instants; throws naming the route when the declaration cannot be honoured. */
export function checkDeprecation(
  operationId: string,
  deprecation: RouteDeprecation,
): { readonly announcedAt: Date; readonly sunsetAt: Date } {
  const announcedAt = instant(operationId, 'announced', deprecation.announced);
  const sunsetAt = instant(operationId, 'sunset', deprecation.sunset);
  if (sunsetAt.getTime() - announcedAt.getTime() < minimumWindowMs) {
    throw new Error(`route ${operationId}: sunset must be at least 30 days after announced`);
  }
  if (!/^(https?:\/\/[^\s<>"]+|\/[^\s<>"]*)$/.test(deprecation.guide)) {
    throw new Error(`route ${operationId}: deprecation guide must be an http(s) URL or a path`);
  }
  return { announcedAt, sunsetAt };
}

/** `Deprecation`, `Sunset` and `Link` as a deprecated route sends them before and after its sunset. */
export function deprecationHeaders(deprecation: RouteDeprecation): Record<string, string> {
  const { announcedAt, sunsetAt } = checkDeprecation('(headers)', deprecation);
  return {
    // RFC 9745: a Structured Field Date, seconds since the epoch after '@'.
    deprecation: `@${Math.floor(announcedAt.getTime() / 1000)}`,
    // RFC 8594: an HTTP-date (IMF-fixdate), which is what toUTCString renders.
    sunset: sunsetAt.toUTCString(),
    link: `<${deprecation.guide}>; rel="deprecation"; type="text/html", <${deprecation.guide}>; rel="sunset"; type="text/html"`,
  };
}

/** The line the OpenAPI operation's description gets, so a reader of the document sees the dates. */
export function deprecationNote(deprecation: RouteDeprecation): string {
  const { announcedAt, sunsetAt } = checkDeprecation('(note)', deprecation);
  return `Deprecated since ${announcedAt.toISOString()}; from ${sunsetAt.toISOString()} on it answers 410 ROUTE_SUNSET. Migration guide: ${deprecation.guide}`;
}

function instant(operationId: string, field: string, text: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) {
    throw new Error(
      `route ${operationId}: deprecation ${field} ${JSON.stringify(text)} is not an ISO 8601 date`,
    );
  }
  return date;
}

/** The three headers as the OpenAPI document describes them on every answer of a deprecated route. */
export const deprecationHeaderSchemas = {
  Deprecation: z.string().describe('RFC 9745: when the route was deprecated, `@<unix seconds>`.'),
  Sunset: z.string().describe('RFC 8594: the HTTP-date from which the route answers 410 ROUTE_SUNSET.'),
  Link: z.string().describe('The migration guide, `rel="deprecation"` and `rel="sunset"`.'),
};
