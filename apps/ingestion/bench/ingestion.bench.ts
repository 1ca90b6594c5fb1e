/**
 * `npm run bench -- ingestion`: accepted, verified Stripe webhooks per second and latency, for the built app
 * (`dist/main.js`, so run `npm run build` first) against the whole stack on this machine, and the same for a
 * bare node:http server doing the same Postgres transaction (bare-server.mjs); prints the ratio.
 *
 * - closed loop: `concurrency` senders for `durationMs`: throughput, p50, p99;
 * - open loop: requests started at a fixed `rate` for `durationMs`: p50, p99 measured from the moment each
 *   request was due (so a stall counts for every request it delays, not just one);
 * - the app's RSS before and after, from its /metrics.
 * The load generator shares the machine's cores with the server and Postgres: figures are for this
 * machine, ratios are what carries over. Prints figures, asserts nothing.
 *
 * Run as a script (what `npm run bench -- ingestion` does), it ends with one line on stdout, `BENCH_RESULT `
 * and the result as JSON: packages/bench reads it and prints the goal lines (a package never imports an app,
 * and this app does not depend on the bench package, so the line is all they share).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createTestDatabase, stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import pg from 'pg';
import { STRIPE_METADATA, stripeWebhook } from '@tributary/webhooks';

export interface IngestionBenchOptions {
  readonly concurrency?: number;
  readonly rate?: number;
  readonly durationMs?: number;
  readonly warmupMs?: number;
  readonly log?: (line: string) => void;
}

export interface LoadFigures {
  readonly accepted: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface IngestionBenchResult {
  readonly app: {
    readonly closed: LoadFigures;
    readonly open: LoadFigures;
    readonly rssMiB: readonly [number, number];
  };
  readonly bare: { readonly closed: LoadFigures; readonly open: LoadFigures };
  /** app / bare, closed-loop throughput (the goal, ≥ 0.6, is judged by packages/bench). */
  readonly ratio: number;
}

const secret = 'whsec_bench_4eC39HqLyjWDarjtT1zdp7dc';
const appMain = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const bareMain = fileURLToPath(new URL('./bare-server.mjs', import.meta.url));

export async function run(options: IngestionBenchOptions = {}): Promise<IngestionBenchResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const concurrency = options.concurrency ?? 32;
  const rate = options.rate ?? 500;
  const durationMs = options.durationMs ?? 10_000;
  const warmupMs = options.warmupMs ?? 2_000;
  const stack = stackFromEnv();
  const database = await createTestDatabase({ prefix: 'bench_ingestion' });
  const env = {
    DATABASE_URL: database.url,
    KAFKA_BROKERS: stack.kafka.brokers.join(','),
    SCHEMA_REGISTRY_URL: stack.registry.url,
    KAFKA_TOPIC_PREFIX: `${uniqueName('bench')}.`,
    STRIPE_WEBHOOK_SECRETS: secret,
    // info: the `listening` line is how the bench finds the port; requests log nothing at info.
    LOG_LEVEL: 'info',
    WEBHOOK_RATE_PER_SECOND: '1000000',
    WEBHOOK_RATE_BURST: '1000000',
    DATABASE_POOL_SIZE: '20',
    PORT: '0',
  };
  try {
    log(
      `ingestion bench: ${concurrency} senders closed loop, ${rate}/s open loop, ${durationMs / 1000} s each`,
    );
    const app = await startServer(appMain, env, /"url":"(http:\/\/[^"]+)","msg":"listening"/);
    let appFigures;
    try {
      const rssBefore = await rssMiB(app.url);
      await closedLoop(app.url, concurrency, warmupMs);
      const closed = await closedLoop(app.url, concurrency, durationMs);
      // The open loop measures a steady 500/s, not the relay still publishing the closed loop's backlog.
      await outboxDrained(database.url);
      const open = await openLoop(app.url, rate, durationMs);
      appFigures = { closed, open, rssMiB: [rssBefore, await rssMiB(app.url)] as const };
    } finally {
      await app.stop();
    }
    // Same database and tables (the app's migrations made them), no relay: the floor of the work itself.
    const bare = await startServer(bareMain, env, /listening (\d+)/, (port) => `http://127.0.0.1:${port}`);
    let bareFigures;
    try {
      await closedLoop(bare.url, concurrency, warmupMs);
      bareFigures = {
        closed: await closedLoop(bare.url, concurrency, durationMs),
        open: await openLoop(bare.url, rate, durationMs),
      };
    } finally {
      await bare.stop();
    }
    const result = {
      app: appFigures,
      bare: bareFigures,
      ratio: appFigures.closed.perSecond / bareFigures.closed.perSecond,
    };
    const line = (name: string, f: LoadFigures) =>
      `${name.padEnd(22)} ${f.perSecond.toFixed(0).padStart(7)}/s  p50 ${f.p50Ms.toFixed(1).padStart(6)} ms  p99 ${f.p99Ms.toFixed(1).padStart(6)} ms  (${f.accepted} accepted, ${f.failed} failed)`;
    log(line('ingestion, closed', result.app.closed));
    log(line(`ingestion, ${rate}/s`, result.app.open));
    log(line('bare node+pg, closed', result.bare.closed));
    log(line(`bare node+pg, ${rate}/s`, result.bare.open));
    log(
      `ratio ingestion/bare ${result.ratio.toFixed(2)}; ingestion RSS ${result.app.rssMiB[0].toFixed(0)} → ${result.app.rssMiB[1].toFixed(0)} MiB`,
    );
    return result;
  } finally {
    await database.drop();
  }
}

interface Server {
  readonly url: string;
  stop(): Promise<void>;
}

async function startServer(
  script: string,
  env: Record<string, string>,
  ready: RegExp,
  toUrl: (match: string) => string = (match) => match,
): Promise<Server> {
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const match = await waitFor(() => ready.exec(output)?.[1], {
    timeoutMs: 60_000,
    message: `${script} ready`,
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output.slice(-2000)}`);
  });
  return {
    url: toUrl(match),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A fresh, signed payment_intent.succeeded delivery. */
function delivery(): { body: Buffer; headers: Record<string, string> } {
  const body = Buffer.from(
    JSON.stringify({
      id: `evt_${randomUUID().replaceAll('-', '')}`,
      object: 'event',
      type: 'payment_intent.succeeded',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: `pi_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
          object: 'payment_intent',
          amount: 2599,
          amount_received: 2599,
          currency: 'eur',
          metadata: { [STRIPE_METADATA.paymentId]: randomUUID(), [STRIPE_METADATA.orderId]: randomUUID() },
        },
      },
    }),
  );
  return {
    body,
    headers: { 'content-type': 'application/json', ...stripeWebhook.scheme.sign({ body }, secret) },
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

/** One POST; resolves with the status (0 for a transport error). node:http costs the client less than fetch. */
function send(url: string): Promise<number> {
  const { body, headers } = delivery();
  return new Promise((resolve) => {
    const req = httpRequest(
      `${url}/webhooks/stripe`,
      { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

export async function closedLoop(url: string, concurrency: number, durationMs: number): Promise<LoadFigures> {
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  const end = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const status = await send(url);
        if (status === 202) latencies.push(performance.now() - t0);
        else failed++;
      }
    }),
  );
  return figures(latencies, failed, performance.now() - started);
}

export async function openLoop(url: string, rate: number, durationMs: number): Promise<LoadFigures> {
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  const total = Math.floor((rate * durationMs) / 1000);
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      send(url).then((status) => {
        if (status === 202) latencies.push(performance.now() - due);
        else failed++;
      }),
    );
  }
  await Promise.all(inFlight);
  return figures(latencies, failed, performance.now() - started);
}

function figures(latencies: number[], failed: number, elapsedMs: number): LoadFigures {
  const sorted = Float64Array.from(latencies).sort();
  const at = (p: number) =>
    sorted.length ? sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]! : Number.NaN;
  return {
    accepted: sorted.length,
    failed,
    perSecond: (sorted.length * 1000) / elapsedMs,
    p50Ms: at(50),
    p99Ms: at(99),
  };
}

async function outboxDrained(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await waitFor(
      async () => {
        const { rows } = await client.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
        );
        return rows[0]!.n === 0;
      },
      { timeoutMs: 120_000, intervalMs: 200, message: 'outbox drained' },
    );
  } finally {
    await client.end();
  }
}

async function rssMiB(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = /^process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)/m.exec(text)?.[1];
  return value ? Number(value) / 1024 / 1024 : Number.NaN;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await run();
  agent.destroy();
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}
