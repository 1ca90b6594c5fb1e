import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { StackEndpoints } from './endpoints.js';
import { newClusterId } from './kafka.js';
import { pickFreePorts } from './ports.js';
import { CONTAINER_IMAGES } from './versions.js';
import type { KafkaVersion } from './versions.js';

export interface ContainerStack {
  endpoints: StackEndpoints;
  stop(): Promise<void>;
}

/**
 * Whether a Docker engine answers. Cheap checks first (a socket or DOCKER_HOST must exist), so machines
 * without Docker do not pay for testcontainers' discovery on every run.
 */
export async function dockerAvailable(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const sockets = ['/var/run/docker.sock', join(homedir(), '.docker', 'run', 'docker.sock')];
  if (!env.DOCKER_HOST && !sockets.some((s) => existsSync(s))) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('docker discovery timed out')), 10_000).unref(),
      ),
    ]);
    return true;
  } catch {
    return false;
  }
}

/**
 * The production images (docs/architecture.md#local-stack) on a private network. Kafka advertises two
 * listeners: one on the host port we reserve (the mapping must be known before the broker starts, to
 * advertise it) and one for the registry container on the network.
 */
export async function startContainerStack(version: KafkaVersion): Promise<ContainerStack> {
  const { GenericContainer, Network, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
  const [kafkaHostPort] = await pickFreePorts(1);
  const network = await new Network().start();
  const started: { stop(): Promise<unknown> }[] = [];
  const postgresPromise = new PostgreSqlContainer(CONTAINER_IMAGES.postgres)
    .withDatabase('tributary')
    .withUsername('postgres')
    .withPassword('postgres')
    .start()
    .then((container) => {
      started.push(container);
      return container;
    });
  // Awaited below or in the clean-up; this only keeps an early failure from being reported as unhandled.
  postgresPromise.catch(() => undefined);
  try {
    const kafka = await new GenericContainer(CONTAINER_IMAGES.kafka(version))
      .withNetwork(network)
      .withNetworkAliases('kafka')
      .withExposedPorts({ container: 9092, host: kafkaHostPort! })
      .withEnvironment({
        CLUSTER_ID: newClusterId(),
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,INTERNAL://0.0.0.0:19092,CONTROLLER://0.0.0.0:9093',
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${kafkaHostPort},INTERNAL://kafka:19092`,
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
        KAFKA_INTER_BROKER_LISTENER_NAME: 'INTERNAL',
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .start();
    started.push(kafka);

    const registry = await new GenericContainer(CONTAINER_IMAGES.schemaRegistry)
      .withNetwork(network)
      .withExposedPorts(8081)
      .withEnvironment({
        SCHEMA_REGISTRY_HOST_NAME: 'schema-registry',
        SCHEMA_REGISTRY_LISTENERS: 'http://0.0.0.0:8081',
        SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: 'PLAINTEXT://kafka:19092',
        SCHEMA_REGISTRY_SCHEMA_COMPATIBILITY_LEVEL: 'backward',
      })
      .withWaitStrategy(Wait.forHttp('/subjects', 8081))
      .start();
    started.push(registry);

    const postgres = await postgresPromise;

    return {
      endpoints: {
        source: 'testcontainers',
        kafka: { brokers: [`${host}:${kafkaHostPort}`], version },
        registry: { url: `http://${registry.getHost()}:${registry.getMappedPort(8081)}` },
        postgres: { url: postgres.getConnectionUri() },
      },
      stop: async () => {
        await Promise.all(started.map((c) => c.stop()));
        await network.stop();
      },
    };
  } catch (error) {
    await Promise.allSettled([postgresPromise]);
    await Promise.allSettled(started.map((c) => c.stop()));
    await network.stop().catch(() => undefined);
    throw error;
  }
}
