import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ComponentContext } from './component.js';
import { cdsOptions } from './cds.js';
import { javaMarker } from './markers.js';
import { kafkaAnswers, waitUntilReady } from './readiness.js';
import { runToCompletion, spawnDetached } from './processes.js';
import { kafkaMajor } from './versions.js';
import type { KafkaVersion } from './versions.js';

export interface KafkaServerConfig {
  brokerPort: number;
  controllerPort: number;
  dataDir: string;
  host?: string;
}

/**
 * A single-node KRaft cluster (broker and controller in one process) shaped for tests: replication
 * factors of 1, no rebalance delay, and no automatic topic creation, so code that forgets to create its
 * topics fails here exactly as it would in production.
 */
export function renderServerProperties(config: KafkaServerConfig): string {
  const host = config.host ?? '127.0.0.1';
  const props: [string, string | number | boolean][] = [
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.quorum.voters', `1@${host}:${config.controllerPort}`],
    ['listeners', `PLAINTEXT://${host}:${config.brokerPort},CONTROLLER://${host}:${config.controllerPort}`],
    ['advertised.listeners', `PLAINTEXT://${host}:${config.brokerPort}`],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['controller.listener.names', 'CONTROLLER'],
    ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
    ['log.dirs', config.dataDir],
    ['auto.create.topics.enable', false],
    ['num.partitions', 3],
    ['default.replication.factor', 1],
    ['min.insync.replicas', 1],
    ['offsets.topic.replication.factor', 1],
    // Fewer internal partitions: the first consumer group and the first transaction come up faster.
    ['offsets.topic.num.partitions', 10],
    ['transaction.state.log.replication.factor', 1],
    ['transaction.state.log.min.isr', 1],
    ['transaction.state.log.num.partitions', 10],
    ['share.coordinator.state.topic.replication.factor', 1],
    ['share.coordinator.state.topic.min.isr', 1],
    ['group.initial.rebalance.delay.ms', 0],
    // The compaction buffer is 128 MiB by default, a quarter of the heap we give the broker.
    ['log.cleaner.dedupe.buffer.size', 16 * 1024 * 1024],
    ['num.network.threads', 2],
    ['num.io.threads', 4],
  ];
  return `${props.map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
}

/** Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding; a leading '-' would read as a flag. */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** JVM options and classpath shared by the broker and the Kafka tools of one pinned version. */
export function kafkaJvmOptions(version: KafkaVersion, libDir: string, infraDir: string): string[] {
  const logging =
    kafkaMajor(version) >= 4
      ? `-Dlog4j2.configurationFile=${join(infraDir, 'config', 'log4j2.properties')}`
      : `-Dlog4j.configuration=file:${join(infraDir, 'config', 'log4j.properties')}`;
  return ['-cp', `${libDir}/*`, logging, '-Djava.awt.headless=true'];
}

export async function startKafka(
  ctx: ComponentContext,
  version: KafkaVersion,
  libDir: string,
): Promise<void> {
  const dataDir = join(ctx.dataDir, 'kafka');
  const configDir = join(ctx.dataDir, 'kafka-config');
  mkdirSync(configDir, { recursive: true });
  const serverProperties = join(configDir, 'server.properties');
  writeFileSync(
    serverProperties,
    renderServerProperties({
      brokerPort: ctx.ports.kafka,
      controllerPort: ctx.ports.kafkaController,
      dataDir,
    }),
  );
  const jvm = kafkaJvmOptions(version, libDir, ctx.paths.infraDir);
  const template = await formattedTemplate(ctx, version, jvm);
  cpSync(template, dataDir, { recursive: true });

  const marker = javaMarker(ctx.tag('kafka'));
  const logFile = ctx.logFile('kafka');
  const pid = await spawnDetached({
    command: ctx.toolchain.java,
    args: [
      ...cdsOptions(ctx.paths.cacheDir, ctx.toolchain.java, `kafka-${version}`),
      '-Xms256m',
      '-Xmx512m',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:+ExitOnOutOfMemoryError',
      marker,
      ...jvm,
      'kafka.Kafka',
      serverProperties,
    ],
    cwd: configDir,
    logFile,
  });
  const proc = { name: 'kafka' as const, pid, marker, logFile };
  ctx.record(proc);
  await waitUntilReady(
    `Kafka ${version}`,
    proc,
    () => kafkaAnswers([`127.0.0.1:${ctx.ports.kafka}`]),
    120_000,
  );
}

/**
 * A formatted, empty log directory (meta.properties + bootstrap.checkpoint) per Kafka version, made once
 * with StorageTool and copied for every start: it saves a JVM launch on the start-up's critical path.
 * Nothing in it depends on ports or paths; every stack on this machine shares one cluster id, which no
 * test can observe across stacks.
 */
async function formattedTemplate(
  ctx: ComponentContext,
  version: KafkaVersion,
  jvm: string[],
): Promise<string> {
  const template = join(ctx.paths.cacheDir, 'templates', `kafka-${version}-formatted`);
  if (existsSync(join(template, 'meta.properties'))) return template;
  const tmp = `${template}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const config = join(tmp, 'format.properties');
  writeFileSync(
    config,
    renderServerProperties({ brokerPort: 1, controllerPort: 2, dataDir: join(tmp, 'data') }),
  );
  // Short-lived tool: the client compiler and serial GC start fastest.
  await runToCompletion({
    command: ctx.toolchain.java,
    args: [
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      ...jvm,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      newClusterId(),
      '-c',
      config,
      '--ignore-formatted',
    ],
    cwd: tmp,
    logFile: ctx.logFile('kafka-format'),
  });
  try {
    renameSync(join(tmp, 'data'), template);
  } catch (error) {
    // Another start formatted the same version first; either copy is good.
    if (!existsSync(join(template, 'meta.properties'))) throw error;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return template;
}
