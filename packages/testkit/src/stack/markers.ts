import { createHash } from 'node:crypto';

/**
 * Every process of a stack carries one argv element naming its stack directory, its start and its role,
 * e.g. `-Dtributary.stack=tributary-1a2b3c4d-k3x9-kafka`. Stop and status act on a pid only while its
 * live command line still holds that element, and a lost state file can still be recovered by prefix.
 */
export function stackTagPrefix(stackDir: string): string {
  return `tributary-${createHash('sha256').update(stackDir).digest('hex').slice(0, 8)}-`;
}

export const javaMarker = (tag: string): string => `-Dtributary.stack=${tag}`;

/** Postgres accepts only known settings on its command line; cluster_name is one and shows in ps. */
export const postgresMarker = (tag: string): string => `cluster_name=${tag}`;

export function orphanMarkerPrefixes(stackDir: string): string[] {
  const prefix = stackTagPrefix(stackDir);
  return [javaMarker(prefix), postgresMarker(prefix)];
}
