import type { StackEndpoints, StackSource } from './endpoints.js';
import { endpointsFromEnv } from './endpoints.js';
import { StackErrorCode, stackError } from './errors.js';
import { localStackRunning, releaseLocalStack, upLocalStack } from './local-stack.js';
import { dockerAvailable, startContainerStack } from './testcontainers-stack.js';
import { resolveKafkaVersion } from './versions.js';

export interface AcquiredStack {
  endpoints: StackEndpoints;
  /** How the stack was obtained, for the run's log. */
  description: string;
  /** Gives the stack back: stops only what this acquisition started. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  env?: NodeJS.ProcessEnv;
  /** Identifies this user of a shared local stack (a jest run); defaults to this process. */
  leasePid?: number;
  log?: (line: string) => void;
}

/**
 * One stack for a whole test run, in the order docs/architecture.md#local-stack gives: connection details
 * already in the environment, then a local stack that is already running (`stack:up`, a parallel run), then
 * testcontainers where a Docker engine answers, then new local processes.
 * TRIBUTARY_STACK=env|testcontainers|local forces a path.
 */
export async function acquireStack(options: AcquireOptions = {}): Promise<AcquiredStack> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const forced = env.TRIBUTARY_STACK?.trim() as StackSource | undefined;
  if (forced && !['env', 'testcontainers', 'local'].includes(forced)) {
    throw stackError(
      StackErrorCode.envIncomplete,
      `TRIBUTARY_STACK must be env, testcontainers or local, not ${forced}`,
    );
  }
  const requested = env.TRIBUTARY_KAFKA_VERSION?.trim();

  if (!forced || forced === 'env') {
    const given = endpointsFromEnv(env);
    if (given)
      return {
        endpoints: given,
        description: 'connection details from the environment',
        release: async () => undefined,
      };
    if (forced) {
      throw stackError(
        StackErrorCode.envIncomplete,
        'TRIBUTARY_STACK=env but KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL are not set',
      );
    }
  }

  // A stack that `stack:up` (or a parallel run) started is reused even where Docker is available.
  const preferLocal = !forced && localStackRunning();
  if (forced === 'testcontainers' || (!forced && !preferLocal && (await dockerAvailable(env)))) {
    const version = resolveKafkaVersion(requested);
    log(`starting containers (Kafka ${version})`);
    const stack = await startContainerStack(version);
    return { endpoints: stack.endpoints, description: 'testcontainers', release: () => stack.stop() };
  }

  const leasePid = options.leasePid ?? process.pid;
  const { state, reused } = await upLocalStack({
    owner: 'jest',
    lease: leasePid,
    log,
    ...(requested ? { kafkaVersion: requested } : {}),
  });
  return {
    endpoints: state.endpoints,
    description: reused
      ? `the running local stack ${state.id} (owner: ${state.owner.kind})`
      : `a new local stack ${state.id}`,
    release: async () => {
      const outcome = await releaseLocalStack(leasePid, { log });
      if (outcome === 'stopped') log(`stopped local stack ${state.id}`);
    },
  };
}
