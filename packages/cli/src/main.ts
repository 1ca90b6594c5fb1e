#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { apiKeysCommand } from './commands/api-keys.js';
import { dev } from './commands/dev.js';
import { dlqCommand } from './commands/dlq.js';
import { newConnectorCommand } from './commands/new-connector.js';
import { providersCommand } from './commands/providers.js';
import { reconcileCommand } from './commands/reconcile.js';
import { ensureCatalogueTopics } from './commands/topics.js';
import { webhooksCommand } from './commands/webhooks.js';
import { devSessionPath, envWithDevSession, readDevSession } from './session/dev-session.js';

const usage = `usage: tributary <command>
  dev [--rate <orders/s>] [--port <port>] [--prefix <p>] [--log-level <level>] [--no-drift]
      [--replicas <n>|<app>=<n>,...]
                                            run the platform on the local stack with demo traffic
                                            (and now and then a drift for reconciliation to repair)
  topics ensure                             create the catalogue topics on KAFKA_BROKERS
  api-keys create|rotate|revoke|list ...    manage API keys of ingestion or dlq-handler (tributary api-keys for help)
  dlq ls|show|replay|discard ...            inspect and recover dead letters (tributary dlq for help)
  reconcile start|runs|run|findings|...     reconciliation runs and findings (tributary reconcile for help)
  providers changes|change|ack|shapes ...   what providers changed in their answers and webhooks
                                            (tributary providers for help)
  webhooks sign <provider> [--body <json>]  print a curl delivering a webhook signed now (tributary webhooks for help)
  new-connector <name> [--event <type>]     scaffold apps/connector-<name> (npm run new:connector -- <name>)`;

async function main(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  // These parse their own options.
  if (argv[0] === 'dlq') return dlqCommand(argv.slice(1), { env: process.env, out });
  if (argv[0] === 'reconcile') return reconcileCommand(argv.slice(1), { env: process.env, out });
  if (argv[0] === 'providers') return providersCommand(argv.slice(1), { env: process.env, out });
  if (argv[0] === 'new-connector') return newConnectorCommand(argv.slice(1), { out });
  if (argv[0] === 'webhooks') return webhooksCommand(argv.slice(1), { env: process.env, out });
  // Without DATABASE_URL, the database (and the service's schema) of a running `npm run dev`.
  const withSession = (service?: string) =>
    envWithDevSession(process.env, readDevSession(devSessionPath()), service);
  if (argv[0] === 'api-keys') {
    const service = argv[argv.indexOf('--service') + 1];
    return apiKeysCommand(argv.slice(1), {
      env: withSession(argv.includes('--service') ? service : undefined),
      log: out,
    });
  }
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      rate: { type: 'string', default: '2' },
      port: { type: 'string', default: '3100' },
      prefix: { type: 'string', default: '' },
      'log-level': { type: 'string' },
      'no-drift': { type: 'boolean' },
      replicas: { type: 'string', multiple: true, default: [] },
    },
  });
  const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);
  switch (positionals.join(' ')) {
    case 'dev':
      return dev({
        rate: Number(values.rate),
        port: Number(values.port),
        prefix: values.prefix,
        ...(values['log-level'] ? { logLevel: values['log-level'] } : {}),
        drift: !values['no-drift'],
        replicas: values.replicas,
        log,
        print: out,
      });
    case 'topics ensure': {
      const brokers = (withSession().KAFKA_BROKERS ?? '').split(',').filter(Boolean);
      if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set');
      log(`ensured ${(await ensureCatalogueTopics(brokers)).join(', ')}`);
      return 0;
    }
    default:
      process.stdout.write(`${usage}\n`);
      return positionals.length === 0 ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`tributary: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
