// The bench's baseline (see ingestion.bench.ts): a bare node:http server doing what one accepted Stripe
// webhook costs ingestion, and nothing else — verify the signature, parse the JSON, and run the same
// Postgres transaction (event_log + event_log_events in one statement, then the outbox row with its
// NOTIFY). No framework, no mapping, no Avro encoding, no relay. Plain JS so it runs without a build.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';

const secret = process.env.STRIPE_WEBHOOK_SECRETS;
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_SIZE ?? 20),
});
const value = Buffer.alloc(120, 7);

function verified(header, body) {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=')));
  if (!parts.t || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.`).update(body).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function store(event) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const logId = randomUUID();
    const eventId = randomUUID();
    const inserted = await client.query(
      `WITH inserted AS (
         INSERT INTO event_log (id, source, provider, dedupe_key, event_type, status, payload, occurred_at)
         VALUES ($1, 'webhook', 'stripe', $2, $3, 'mapped', $4, now()) ON CONFLICT (provider, dedupe_key) DO NOTHING RETURNING id
       ), events AS (
         INSERT INTO event_log_events (event_id, log_id, event_type, topic, subject, event)
         SELECT $5, id, 'payments.payment.succeeded', 'bare.payments.payment.v1', $6, $4 FROM inserted RETURNING 1
       ) SELECT id FROM inserted`,
      [logId, event.id, event.type, JSON.stringify(event), eventId, randomUUID()],
    );
    if (inserted.rowCount === 1) {
      await client.query(
        `WITH inserted AS (INSERT INTO outbox (topic, key, value, headers, event_id, aggregate_id)
           VALUES ('bare.payments.payment.v1', $1, $2, '{}'::jsonb, $3, $1) RETURNING 1)
         SELECT pg_notify('bare', '') FROM (SELECT count(*) FROM inserted) AS done`,
        [randomUUID(), value, eventId],
      );
    }
    await client.query('COMMIT');
    return inserted.rowCount === 1;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    if (!verified(request.headers['stripe-signature'], body)) {
      response.writeHead(401).end();
      return;
    }
    store(JSON.parse(body.toString('utf8'))).then(
      (fresh) => response.writeHead(fresh ? 202 : 200, { 'content-type': 'application/json' }).end('{}'),
      (error) => response.writeHead(500).end(String(error)),
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
