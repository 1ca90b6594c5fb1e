// Jest global setup of the `int` project: one real stack (Kafka, schema registry, Postgres) for the whole
// run, handed to the test workers through the environment (KAFKA_BROKERS, SCHEMA_REGISTRY_URL,
// DATABASE_URL). Jest loads this file as plain ESM in its main process; the stack code is TypeScript,
// so it is imported through tsx.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { acquireStack, endpointsToEnv } = await tsImport('../src/stack/jest-entry.ts', import.meta.url);
  const log = (line) => process.stderr.write(`[stack] ${line}\n`);
  const began = Date.now();
  const stack = await acquireStack({ log });
  Object.assign(process.env, endpointsToEnv(stack.endpoints));
  log(
    `using ${stack.description} in ${((Date.now() - began) / 1000).toFixed(1)} s: ` +
      `kafka ${stack.endpoints.kafka.brokers.join(',')} (${stack.endpoints.kafka.version}), ` +
      `registry ${stack.endpoints.registry.url}, postgres ${stack.endpoints.postgres.url}`,
  );
  // Read by global-teardown.js, which jest runs in this same process.
  globalThis.__TRIBUTARY_STACK__ = stack;
}
