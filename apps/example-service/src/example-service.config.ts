import {
  backboneEnv,
  consumerConfig,
  consumerEnv,
  loadConfig,
  serviceConfig,
  serviceEnv,
} from '@tributary/service-kit';
import type { ConsumerConfig, Env, ServiceConfig } from '@tributary/service-kit';
import { z } from 'zod';

/**
 * The one place this app reads the environment: the kit's shared variables plus this service's own. A bad
 * or missing value stops the boot with a message naming the variable, before any connection opens.
 */
const schema = z.object({
  ...serviceEnv({ port: 3100 }),
  ...backboneEnv,
  ...consumerEnv({ group: 'example-service' }),
});

export type ExampleServiceConfig = ServiceConfig & {
  readonly consumer: ConsumerConfig;
};

export function loadExampleServiceConfig(env: Env = process.env): ExampleServiceConfig {
  return loadConfig(
    schema,
    (values) => ({
      ...serviceConfig('example-service', values),
      consumer: consumerConfig(values, 'example-service'),
    }),
    { service: 'example-service', env },
  );
}
