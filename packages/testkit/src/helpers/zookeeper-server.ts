import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaToolCommand } from '../stack/kafka-tools.js';
import { pickFreePorts } from '../stack/ports.js';
import { startExternalProcess, whenReady } from './external-process.js';

export interface ZooKeeperServer {
  /** `127.0.0.1:<port>`, for a client's server list. */
  readonly address: string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * A throwaway standalone ZooKeeper on a free port, for tools that still need one (Burrow keeps its own
 * state there). Kafka 4 ships without ZooKeeper, so it runs from the Kafka 3.9 jars the stack caches
 * (downloaded on first use like the stack's own), whichever Kafka the stack runs.
 */
export async function startZooKeeperServer(
  options: { kafkaVersion?: string; timeoutMs?: number } = {},
): Promise<ZooKeeperServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-zookeeper-'));
  const [port] = await pickFreePorts(1);
  const config = join(dir, 'zoo.cfg');
  writeFileSync(
    config,
    [
      'tickTime=2000',
      `dataDir=${join(dir, 'data')}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      // No Jetty admin server on 8080 (it would collide between parallel tests); `srvr` answers readiness.
      'admin.enableServer=false',
      '4lw.commands.whitelist=srvr',
      '',
    ].join('\n'),
  );
  const { command, args } = await kafkaToolCommand(
    'org.apache.zookeeper.server.ZooKeeperServerMain',
    [config],
    { version: options.kafkaVersion ?? '3.9.1' },
  );
  const server = startExternalProcess('zookeeper', command, args, {
    missing: 'install a Java runtime (apt-get install -y openjdk-17-jre-headless)',
  });
  const address = `127.0.0.1:${port}`;
  const stop = await whenReady(server, {
    // `ruok` answers imok before the server takes sessions; `srvr` names the mode only once it does.
    description: `zookeeper serving on ${address}`,
    ready: async () => /Mode: standalone/.test(await fourLetterWord(port!, 'srvr')),
    timeoutMs: options.timeoutMs ?? 60_000,
    dir,
  });
  return { address, stop };
}

/** ZooKeeper's four-letter command over a plain socket: the answer, or '' when it closes without one. */
function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(word));
    let answer = '';
    socket.setTimeout(2_000, () => socket.destroy(new Error(`no answer to ${word}`)));
    socket.on('data', (chunk) => (answer += String(chunk)));
    socket.on('end', () => resolve(answer.trim()));
    socket.on('error', reject);
  });
}
