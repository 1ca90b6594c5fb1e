import type { Logger } from '@tributary/observability';
import { credentialModeProblem } from '@tributary/service-kit';
import type { CredentialMode, Environment } from '@tributary/service-kit';
import type { CredentialCheck } from '../define-connector.js';

/** One credential as classified at boot: its variable and mode, never its value. */
export interface CheckedCredential {
  readonly variable: string;
  readonly mode: CredentialMode;
  readonly unknownBecause?: string;
}

/**
 * Classifies each declared credential of the parsed connector config and adds a problem for every one that
 * may not run in `environment`, so the boot fails with the config's other problems, before any connection.
 * A variable left unset (optional) has nothing to check.
 */
export function checkCredentials(
  definition: { readonly provider: string; readonly credentials?: object },
  values: Readonly<Record<string, unknown>>,
  environment: Environment,
  problems: string[],
): CheckedCredential[] {
  const checked: CheckedCredential[] = [];
  const checks = Object.entries(definition.credentials ?? {}) as Array<[string, CredentialCheck | undefined]>;
  for (const [variable, check] of checks) {
    const secret = values[variable];
    if (!check || typeof secret !== 'string' || secret === '') continue;
    const mode = check.classify(secret);
    const problem = credentialModeProblem(environment, { variable, provider: definition.provider, mode });
    if (problem) problems.push(problem);
    checked.push({
      variable,
      mode,
      ...(mode === 'unknown' && check.unknownBecause ? { unknownBecause: check.unknownBecause } : {}),
    });
  }
  return checked;
}

/**
 * The boot log's account of the check: one line for what was checked, and one per credential that could not
 * be, so an operator reading a production boot sees that nothing vouched for that key's mode.
 */
export function logCredentials(
  logger: Logger,
  provider: string,
  environment: Environment,
  checked: readonly CheckedCredential[],
): void {
  const known = checked.filter((credential) => credential.mode !== 'unknown');
  if (known.length > 0) {
    logger.info(
      {
        provider,
        environment,
        credentials: Object.fromEntries(known.map((credential) => [credential.variable, credential.mode])),
      },
      'provider credentials match the environment',
    );
  }
  for (const credential of checked.filter((c) => c.mode === 'unknown')) {
    // Louder in production, where a sandbox token would go unnoticed until the first missing effect.
    logger[environment === 'production' ? 'warn' : 'info'](
      {
        provider,
        environment,
        variable: credential.variable,
        ...(credential.unknownBecause ? { reason: credential.unknownBecause } : {}),
      },
      `${credential.variable}: live or test cannot be told from this ${provider} credential; not checked against TRIBUTARY_ENV=${environment}`,
    );
  }
}
