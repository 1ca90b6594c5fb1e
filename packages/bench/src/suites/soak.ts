import { startPrivateStack } from '@tributary/testkit';
import type { SoakOptions } from './soak/run.js';
import { runSoak } from './soak/run.js';
import { buildWorkspaces } from '../infra/suite-setup.js';

/**
 * `npm run bench -- soak`: the chaos soak of issue 16 on a private stack (its broker is stopped and its
 * Postgres restarted on purpose, so never the shared one). Prints the report; its goal lines say whether
 * anything was lost, doubled or reordered. Timings are figures, not goals.
 */
export async function runSoakSuite(options: SoakOptions, log: (line: string) => void): Promise<number> {
  log('building the apps (turbo caches unchanged ones)');
  buildWorkspaces(['@tributary/cli', './apps/*']);
  log('starting a private stack (Kafka, registry, Postgres)');
  const stack = await startPrivateStack({ log: (line) => log(`stack: ${line}`) });
  const onSignal = () => {
    log('interrupted: stopping the private stack');
    void stack.down().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { report } = await runSoak(stack, options, log);
    process.stdout.write(`\n${report}\n`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stack.down();
  }
}
