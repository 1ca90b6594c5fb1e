import { z } from 'zod';
import { ConfigError } from '../config/config-error.js';

/**
 * SCHEMA_AUTO_REGISTER: may this process register a schema the registry lacks? Read here, where the encoder
 * is built, until the service config takes it over. Default: yes, except in TRIBUTARY_ENV=production, where a
 * schema reaches the registry only through `npm run schemas:register` (a deploy step after `schemas:check`),
 * so a build never slips an unchecked schema version into the registry every consumer trusts.
 * Accepts what the config's other booleans accept (true/false, 1/0, yes/no, on/off).
 */
export function schemaAutoRegisterFrom(service: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env.SCHEMA_AUTO_REGISTER;
  if (raw === undefined || raw.trim() === '') return env.TRIBUTARY_ENV !== 'production';
  const parsed = z.stringbool().safeParse(raw.trim());
  if (!parsed.success) {
    throw new ConfigError(service, [`SCHEMA_AUTO_REGISTER: expected true or false, got "${raw}"`]);
  }
  return parsed.data;
}
