import { z } from 'zod';

/**
 * The environments a deployment declares in TRIBUTARY_ENV. Only `production` may hold live provider
 * credentials, and it may hold nothing else: a test key there would take real orders into a sandbox, a live
 * key anywhere else would charge real cards from a laptop or a staging run.
 */
export const ENVIRONMENTS = ['development', 'test', 'staging', 'production'] as const;

export type Environment = (typeof ENVIRONMENTS)[number];

/**
 * Part of `serviceEnv`, so every app declares one. Unset means `development`: the safe side, since it
 * refuses live credentials, so a production deployment has to say `production` to be one. NODE_ENV is not
 * read: libraries and test runners set it for their own reasons (jest sets `test`, the Dockerfile
 * `production` for npm), and a credential check must not follow a variable nobody set for it.
 */
export const environmentEnv = {
  TRIBUTARY_ENV: z.enum(ENVIRONMENTS).default('development'),
};

/**
 * What a provider credential says of the account mode it works in. `unknown`: the provider's format carries
 * no marker (HubSpot's private app tokens, webhook secrets), so the check cannot be made.
 */
export type CredentialMode = 'live' | 'test' | 'unknown';

/**
 * Why a credential of `mode` cannot run in `environment`, or undefined when it may: live credentials only in
 * production, test ones everywhere but production, unknown ones everywhere. The message names the variable
 * and the provider, never the value.
 */
export function credentialModeProblem(
  environment: Environment,
  credential: { readonly variable: string; readonly provider: string; readonly mode: CredentialMode },
): string | undefined {
  const { variable, provider, mode } = credential;
  if (mode === 'live' && environment !== 'production') {
    return (
      `${variable}: a live ${provider} credential is refused in TRIBUTARY_ENV=${environment}; ` +
      'live credentials run only in production (use a test key here, or set TRIBUTARY_ENV=production ' +
      'on the production deployment)'
    );
  }
  if (mode === 'test' && environment === 'production') {
    return (
      `${variable}: a test ${provider} credential is refused in TRIBUTARY_ENV=production; ` +
      'production calls the provider in live mode (use a live key, or set TRIBUTARY_ENV to the ' +
      'environment this deployment is)'
    );
  }
  return undefined;
}
