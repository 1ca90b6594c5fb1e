import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createKafkaClient } from '@tributary/kafka';
import { acquireStack, uniqueName } from '@tributary/testkit';
import type { Kafka } from 'kafkajs';
import { Scratch } from './scratch.js';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Builds the given workspaces and what they depend on (turbo caches unchanged ones); throws on failure. */
export function buildWorkspaces(workspaces: readonly string[]): void {
  const build = spawnSync(
    'npx',
    [
      'turbo',
      'run',
      'build',
      ...workspaces.map((workspace) => `--filter=${workspace}...`),
      '--output-logs=errors-only',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (build.status !== 0) throw new Error('the build failed');
}

/**
 * What every suite that drives processes on the stack starts from: the stack, a Kafka client, the scratch
 * that cleans up after the run, and a run name whose prefix isolates the run's topics and groups.
 */
export async function openSuite(name: string, log: (line: string) => void) {
  const stack = await acquireStack({ log: (line) => log(`stack: ${line}`) });
  const { endpoints } = stack;
  const kafka: Kafka = createKafkaClient({
    clientId: `tributary-bench-${name}`,
    brokers: endpoints.kafka.brokers,
  });
  const scratch = new Scratch({
    kafka,
    registryUrl: endpoints.registry.url,
    databaseUrl: endpoints.postgres.url,
  });
  const run = uniqueName(`bench.${name}`);
  return { stack, endpoints, kafka, scratch, run, prefix: `${run}.` };
}
