/**
 * `schemas/withdrawn.json`: historical schema versions that never reached a shared registry, so that
 * `schemas:check` and its registry seeding leave them out. Without it, a breaking commit that was reverted
 * before release would fail every later run: the reverted file cannot read the version it reverted, although
 * nothing was ever written with that version. The list is committed and reviewed like a schema change,
 * because an entry turns off the check for one version.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { TributaryError } from '../errors.js';

export const withdrawnFileName = 'withdrawn.json';

const withdrawnEntry = z.strictObject({
  /** Relative to the schemas directory, as the check names it: `commerce/order/v1/OrderPlaced.avsc`. */
  path: z.string().regex(/^[^/].*\.avsc$/, 'a schema file path relative to schemas/, ending in .avsc'),
  /** The commit that gave the file the withdrawn text, as it is on main (a rebase changes it). */
  commit: z
    .string()
    .regex(/^[0-9a-f]{7,40}$/, 'a commit sha or a prefix of it, at least 7 lower-case hex digits'),
  reason: z.string().trim().min(1, 'say why the version never reached a shared registry'),
});

export const withdrawnList = z.array(withdrawnEntry);
export type WithdrawnVersion = z.infer<typeof withdrawnEntry>;

/**
 * The list in `schemasDir`, validated; an absent file is an empty list (a schemas directory of a test).
 * Throws `SCHEMA_WITHDRAWN_INVALID` naming the file and the entry.
 */
export function loadWithdrawn(schemasDir: string): WithdrawnVersion[] {
  const file = join(schemasDir, withdrawnFileName);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
  return parseWithdrawn(text, file);
}

export function parseWithdrawn(text: string, file = withdrawnFileName): WithdrawnVersion[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TributaryError('SCHEMA_WITHDRAWN_INVALID', `${file}: not JSON: ${(error as Error).message}`);
  }
  const parsed = withdrawnList.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.map((p) => `[${String(p)}]`).join('')} ${i.message}`,
    );
    throw new TributaryError('SCHEMA_WITHDRAWN_INVALID', `${file}: ${problems.join('; ')}`);
  }
  return parsed.data;
}
