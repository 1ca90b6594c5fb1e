import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { pickFreePorts } from '../stack/ports.js';
import { startExternalProcess, whenReady } from './external-process.js';
import { waitFor } from './wait-for.js';

export interface BurrowServerOptions {
  readonly brokers: readonly string[];
  /** `host:port` of a ZooKeeper Burrow may keep its state in (startZooKeeperServer). */
  readonly zookeeper: string;
  /** Default `/usr/bin/Burrow` (Debian's `burrow` package), else `Burrow` on PATH. */
  readonly binary?: string;
  readonly timeoutMs?: number;
}

/** One partition of Burrow's `/v3/kafka/<cluster>/consumer/<group>/lag` answer. */
export interface BurrowPartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly current_lag: number;
  /** The last commit Burrow read from __consumer_offsets; null while it has read none. */
  readonly end: { readonly offset: number; readonly lag: number } | null;
}

export interface BurrowServer {
  readonly url: string;
  /** The name of the cluster in Burrow's config, for its HTTP paths. */
  readonly cluster: string;
  /**
   * Log-end offsets of a topic by partition as Burrow last read them, or undefined while it does not know the
   * topic. Burrow drops commits to a topic it has not seen yet, so a test waits for this before committing.
   */
  topicOffsets(topic: string): Promise<number[] | undefined>;
  /** Burrow's lag of one group by partition, or undefined while Burrow does not know the group. */
  groupLag(group: string): Promise<BurrowPartitionLag[] | undefined>;
  output(): string;
  /** Stops Burrow and removes its config and data. */
  stop(): Promise<void>;
}

const INSTALL = 'install Burrow: apt-get install -y burrow (Debian/Ubuntu package, /usr/bin/Burrow)';

/**
 * LinkedIn's Burrow against the test's broker, as an independent judge of consumer lag: it reads group
 * commits from __consumer_offsets and log ends from the brokers, and answers lag per partition over HTTP.
 * Its client speaks Kafka protocol 2.0, which Kafka 3.9 and 4.x brokers still answer.
 */
export async function startBurrowServer(options: BurrowServerOptions): Promise<BurrowServer> {
  await offsetsTopicCreated(options.brokers, options.timeoutMs ?? 60_000);
  const binary = options.binary ?? (existsSync('/usr/bin/Burrow') ? '/usr/bin/Burrow' : 'Burrow');
  const dir = mkdtempSync(join(tmpdir(), 'tributary-burrow-'));
  const [port] = await pickFreePorts(1);
  const cluster = 'local';
  const servers = JSON.stringify([...options.brokers]);
  writeFileSync(
    join(dir, 'burrow.toml'),
    `[general]
pidfile="${join(dir, 'burrow.pid')}"

[logging]
level="warn"

[zookeeper]
servers=["${options.zookeeper}"]
timeout=6
root-path="/burrow"

[client-profile.test]
client-id="burrow-test"
kafka-version="2.0.0"

[cluster.${cluster}]
class-name="kafka"
servers=${servers}
client-profile="test"
topic-refresh=5
offset-refresh=1

[consumer.${cluster}]
class-name="kafka"
cluster="${cluster}"
servers=${servers}
client-profile="test"
offsets-topic="__consumer_offsets"
start-latest=false

[httpserver.default]
address="127.0.0.1:${port}"

[storage.default]
class-name="inmemory"
workers=4
intervals=10
expire-group=604800
min-distance=1
`,
  );
  const server = startExternalProcess('Burrow', binary, ['--config-dir', dir], {
    cwd: dir,
    missing: INSTALL,
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = await whenReady(server, {
    description: `Burrow answering on ${url}`,
    ready: async () => (await fetch(`${url}/burrow/admin`)).ok,
    timeoutMs: options.timeoutMs ?? 60_000,
    dir,
  });
  return {
    url,
    cluster,
    async topicOffsets(topic) {
      const response = await fetch(`${url}/v3/kafka/${cluster}/topic/${encodeURIComponent(topic)}`);
      if (response.status === 404) return undefined;
      const body = (await response.json()) as { error: boolean; offsets?: number[] };
      return body.error ? undefined : body.offsets;
    },
    async groupLag(group) {
      const response = await fetch(`${url}/v3/kafka/${cluster}/consumer/${encodeURIComponent(group)}/lag`);
      if (response.status === 404) return undefined;
      const body = (await response.json()) as {
        error: boolean;
        status?: { partitions: BurrowPartitionLag[] };
      };
      return body.error ? undefined : body.status?.partitions;
    },
    output: server.output,
    stop,
  };
}

/**
 * Burrow's consumer module gives up at start when `__consumer_offsets` does not exist, and a broker creates
 * it only when a group first asks for its coordinator: on a fresh Kafka 4 stack nothing has yet. Asking for
 * a throwaway group's offsets makes the broker create it.
 */
async function offsetsTopicCreated(brokers: readonly string[], timeoutMs: number): Promise<void> {
  const admin = new Kafka({
    clientId: 'tributary-testkit-burrow',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await waitFor(
      '__consumer_offsets to exist',
      async () => {
        await admin.fetchOffsets({ groupId: 'tributary-testkit-burrow-warmup', topics: [] });
        return (await admin.listTopics()).includes('__consumer_offsets');
      },
      { timeoutMs, intervalMs: 500 },
    );
  } finally {
    await admin.disconnect();
  }
}
