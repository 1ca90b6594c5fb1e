export type { StackEndpoints, StackSource } from './stack/endpoints.js';
export { STACK_ENV, endpointsFromEnv, endpointsToEnv } from './stack/endpoints.js';
export { StackError, StackErrorCode } from './stack/errors.js';
export { acquireStack } from './stack/acquire.js';
export type { AcquiredStack, AcquireOptions } from './stack/acquire.js';
export { downLocalStack, localStackStatus, upLocalStack } from './stack/local-stack.js';
export { startPrivateStack } from './stack/private-stack.js';
export type { PrivateStack } from './stack/private-stack.js';
export { kafkaToolCommand } from './stack/kafka-tools.js';
export {
  KAFKA_VERSIONS,
  DEFAULT_KAFKA_VERSION,
  APICURIO_VERSION,
  resolveKafkaVersion,
} from './stack/versions.js';
export type { KafkaVersion } from './stack/versions.js';

export { stackFromEnv } from './helpers/stack-from-env.js';
export { uniqueName } from './helpers/unique-name.js';
export { waitFor } from './helpers/wait-for.js';
export type { WaitForOptions } from './helpers/wait-for.js';
export { VirtualClock } from './helpers/virtual-clock.js';
export { createTopics } from './helpers/topics.js';
export type { TopicSpec } from './helpers/topics.js';
export { createTestDatabase } from './helpers/test-database.js';
export type { TestDatabase } from './helpers/test-database.js';
export { spawnNodeProcess, startBuiltApp } from './helpers/node-process.js';
export { pickFreePorts } from './stack/ports.js';
export type { NodeProcessExit, NodeProcessHandle, SpawnNodeProcessOptions } from './helpers/node-process.js';
export { prometheusConfig, startPrometheusServer } from './helpers/prometheus-server.js';
export type {
  PrometheusServer,
  PrometheusServerOptions,
  PromSample,
  ScrapeTargets,
} from './helpers/prometheus-server.js';
export { vectorSelectors } from './helpers/promql-selectors.js';
export { startExternalProcess } from './helpers/external-process.js';
export type { ExternalProcess } from './helpers/external-process.js';
export { startZooKeeperServer } from './helpers/zookeeper-server.js';
export type { ZooKeeperServer } from './helpers/zookeeper-server.js';
export { startBurrowServer } from './helpers/burrow-server.js';
export type { BurrowPartitionLag, BurrowServer, BurrowServerOptions } from './helpers/burrow-server.js';
export { describeConsumerGroup } from './helpers/consumer-group-command.js';
export type { ConsumerGroupPartition } from './helpers/consumer-group-command.js';
