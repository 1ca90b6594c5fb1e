import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface LoadConfigOptions {
  /** Names the service in the error; every problem is listed under it. */
  readonly service: string;
  /** Default `process.env`. */
  readonly env?: Env;
  /** Reads a `*_FILE` path; injectable for tests. */
  readonly readFile?: (path: string) => string;
}

/**
 * Parses the environment with a service's schema, or throws one ConfigError listing every problem.
 *
 * Any variable of the schema may instead be given as `<NAME>_FILE`, the path of a file holding the value
 * (Docker and Kubernetes secrets): the database URL and provider credentials never have to sit in the
 * environment. Setting both is refused, since which one wins would be a guess. A file's trailing newline is
 * dropped, because editors and `echo` add one that is never part of a secret.
 *
 * `derive` turns the parsed variables into the service's config object and may report further problems
 * (cross-field rules) by throwing a ConfigError or returning them through `problems`.
 */
export function loadConfig<TSchema extends z.ZodObject, TConfig>(
  schema: TSchema,
  derive: (values: z.output<TSchema>, problems: string[]) => TConfig,
  options: LoadConfigOptions,
): TConfig {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const resolved = resolveFiles(Object.keys(schema.shape), env, options.readFile ?? readText, problems);
  const parsed = schema.safeParse(resolved);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push(`${issue.path.map(String).join('.')}: ${issue.message}`);
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(options.service, problems);
  const config = derive(parsed.data, problems);
  if (problems.length > 0) throw new ConfigError(options.service, problems);
  return config;
}

/** The environment with each `<NAME>_FILE` of a schema variable replaced by the file's content. */
export function resolveFiles(
  names: readonly string[],
  env: Env,
  readFile: (path: string) => string,
  problems: string[],
): Record<string, string | undefined> {
  const resolved: Record<string, string | undefined> = { ...env };
  for (const name of names) {
    const path = env[`${name}_FILE`];
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${name}: set either ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      resolved[name] = readFile(path).replace(/\r?\n$/, '');
    } catch (error) {
      problems.push(
        `${name}_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  return resolved;
}

function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
