import { StackErrorCode, stackError } from './errors.js';

/** Kafka releases the local stack can run: each has a POM and a checksum manifest in infra/local/artifacts. */
export const KAFKA_VERSIONS = ['3.9.1', '4.1.1'] as const;
export type KafkaVersion = (typeof KAFKA_VERSIONS)[number];
export const DEFAULT_KAFKA_VERSION: KafkaVersion = '3.9.1';

/** The newest Apicurio Registry whose `all` tarball resolves from Maven Central here and runs on Java 17. */
export const APICURIO_VERSION = '3.0.9';

/** Docker images of the testcontainers path; same majors as docker-compose.yml. */
export const CONTAINER_IMAGES = {
  kafka: (version: KafkaVersion) => `apache/kafka:${version}`,
  schemaRegistry: 'confluentinc/cp-schema-registry:7.9.0',
  postgres: 'postgres:17',
} as const;

/**
 * Accepts a full pinned version or its minor line ("4.1", "4.1.x") so callers need not know the patch
 * release the repository pins.
 */
export function resolveKafkaVersion(requested: string | undefined): KafkaVersion {
  if (requested === undefined || requested.trim() === '') return DEFAULT_KAFKA_VERSION;
  const wanted = requested.trim().replace(/\.x$/, '');
  const match = KAFKA_VERSIONS.find((v) => v === wanted || v.startsWith(`${wanted}.`));
  if (!match) {
    throw stackError(
      StackErrorCode.unsupportedKafkaVersion,
      `Kafka ${requested} is not pinned for the local stack; choose one of ${KAFKA_VERSIONS.join(', ')} ` +
        `(TRIBUTARY_KAFKA_VERSION or --kafka).`,
    );
  }
  return match;
}

export function kafkaMajor(version: KafkaVersion): number {
  return Number(version.split('.')[0]);
}
