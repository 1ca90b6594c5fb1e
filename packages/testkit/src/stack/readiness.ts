import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { StackErrorCode, stackError } from './errors.js';
import { isOurProcess, tailOfFile } from './processes.js';
import type { ManagedProcess } from './state-file.js';

/**
 * Polls `probe` until it answers, failing early (with the log tail) when the process it waits for has died:
 * a crashed JVM should not cost the whole timeout.
 */
export async function waitUntilReady(
  what: string,
  proc: ManagedProcess | undefined,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    if (proc && !isOurProcess(proc)) {
      throw stackError(
        StackErrorCode.startFailed,
        `${what} exited during start-up; last lines of ${proc.logFile}:\n${tailOfFile(proc.logFile)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const log = proc ? `; last lines of ${proc.logFile}:\n${tailOfFile(proc.logFile)}` : '';
  throw stackError(
    StackErrorCode.startFailed,
    `${what} not ready after ${timeoutMs} ms (${String(lastError ?? 'no answer')})${log}`,
    lastError,
  );
}

/** Kafka is ready when the Admin API describes a cluster with a controller. */
export async function kafkaAnswers(brokers: string[], timeoutMs = 2_000): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'tributary-stack-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function httpOk(url: string, timeoutMs = 2_000): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await response.body?.cancel();
  return response.ok;
}

export async function postgresAnswers(url: string, timeoutMs = 2_000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    const result = await client.query<{ one: number }>('select 1 as one');
    return result.rows[0]?.one === 1;
  } finally {
    await client.end().catch(() => undefined);
  }
}
