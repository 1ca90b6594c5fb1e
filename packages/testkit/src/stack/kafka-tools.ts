import { ensureArtifacts, kafkaArtifacts } from './artifacts.js';
import { StackErrorCode, stackError } from './errors.js';
import { kafkaJvmOptions } from './kafka.js';
import { stackPaths } from './paths.js';
import { JAVA, findJava, installMessage, which } from './prerequisites.js';
import { resolveKafkaVersion } from './versions.js';

/**
 * The command line for one of Kafka's own tools (e.g. org.apache.kafka.tools.ProducerPerformance) from
 * the pinned, cached jars, whichever way the stack itself was provided. The benchmark uses it to measure
 * the ceiling Kafka reaches on this machine.
 */
export async function kafkaToolCommand(
  mainClass: string,
  args: string[],
  options: { version?: string } = {},
): Promise<{ command: string; args: string[] }> {
  const version = resolveKafkaVersion(options.version ?? process.env.TRIBUTARY_KAFKA_VERSION);
  const java = findJava();
  if (!java) throw stackError(StackErrorCode.prerequisiteMissing, installMessage([JAVA]));
  const paths = stackPaths();
  const installed = await ensureArtifacts(kafkaArtifacts(version), paths, { mvn: which('mvn') });
  return {
    command: java,
    args: ['-Xmx512m', ...kafkaJvmOptions(version, installed.filesDir, paths.infraDir), mainClass, ...args],
  };
}
