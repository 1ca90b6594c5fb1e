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
  // Consumer lag of every group of the cluster, under kafka-lag-exporter's names; one exporter per cluster.
  CONSUMER_LAG_EXPORTER: z.stringbool().default(true),
});

export type ExampleServiceConfig = ServiceConfig & {
  readonly consumer: ConsumerConfig;
  readonly consumerLagExporter: boolean;
};

export function loadExampleServiceConfig(env: Env = process.env): ExampleServiceConfig {
  return loadConfig(
    schema,
    (values) => ({
      ...serviceConfig('example-service', values),
      consumer: consumerConfig(values, 'example-service'),
      consumerLagExporter: values.CONSUMER_LAG_EXPORTER,
    }),
    { service: 'example-service', env },
  );
}
