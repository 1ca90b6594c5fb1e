import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { ENVIRONMENTS, credentialModeProblem } from './environment.js';
import type { CredentialMode, Environment } from './environment.js';
import { serviceEnv } from './env.js';
import { loadConfig } from './load-config.js';
import { processConfig } from './service-config.js';

// An app with one provider key whose prefix tells its mode, checked the way a connector's definition is.
const schema = z.object({ ...serviceEnv({ port: 3300 }), ACME_API_KEY: z.string().min(1) });
const modeOf = (key: string): CredentialMode =>
  key.startsWith('live_') ? 'live' : key.startsWith('test_') ? 'test' : 'unknown';
const boot = (env: Record<string, string>) =>
  loadConfig(
    schema,
    (values, problems) => {
      const problem = credentialModeProblem(values.TRIBUTARY_ENV, {
        variable: 'ACME_API_KEY',
        provider: 'acme',
        mode: modeOf(values.ACME_API_KEY),
      });
      if (problem) problems.push(problem);
      return processConfig('svc', values);
    },
    { service: 'svc', env },
  );
const refusal = (env: Record<string, string>): string => {
  try {
    boot(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected the boot to be refused');
};

describe('TRIBUTARY_ENV', () => {
  it('is development when unset, and NODE_ENV does not change it', () => {
    expect(boot({ ACME_API_KEY: 'test_1' }).environment).toBe('development');
    expect(boot({ ACME_API_KEY: 'test_1', NODE_ENV: 'production' }).environment).toBe('development');
    expect(boot({ ACME_API_KEY: 'live_1', TRIBUTARY_ENV: 'production' }).environment).toBe('production');
  });

  it('refuses a name outside the four, naming them', () => {
    const message = refusal({ ACME_API_KEY: 'test_1', TRIBUTARY_ENV: 'prod' });
    expect(message).toMatch(/^ {2}TRIBUTARY_ENV: .*"development"\|"test"\|"staging"\|"production"/m);
  });

  // Every environment against every mode: what boots, and what is refused with which message.
  const expected: Record<Environment, Record<CredentialMode, 'boots' | RegExp>> = {
    development: {
      live: /a live acme credential is refused in TRIBUTARY_ENV=development/,
      test: 'boots',
      unknown: 'boots',
    },
    test: {
      live: /a live acme credential is refused in TRIBUTARY_ENV=test/,
      test: 'boots',
      unknown: 'boots',
    },
    staging: {
      live: /a live acme credential is refused in TRIBUTARY_ENV=staging/,
      test: 'boots',
      unknown: 'boots',
    },
    production: {
      live: 'boots',
      test: /a test acme credential is refused in TRIBUTARY_ENV=production/,
      unknown: 'boots',
    },
  };
  const keys: Record<CredentialMode, string> = {
    live: 'live_s3cr3t',
    test: 'test_s3cr3t',
    unknown: 's3cr3t',
  };

  for (const environment of ENVIRONMENTS) {
    for (const mode of ['live', 'test', 'unknown'] as const) {
      const outcome = expected[environment][mode];
      it(`${environment} with a ${mode} credential ${outcome === 'boots' ? 'boots' : 'is refused at boot'}`, () => {
        const env = { TRIBUTARY_ENV: environment, ACME_API_KEY: keys[mode] };
        if (outcome === 'boots') {
          expect(boot(env).environment).toBe(environment);
          return;
        }
        const message = refusal(env);
        expect(message).toMatch(/^ {2}ACME_API_KEY: /m);
        expect(message).toMatch(outcome);
        expect(message).not.toContain('s3cr3t');
      });
    }
  }
});
