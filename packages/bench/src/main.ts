import { parseCommand } from './config.js';
import { relaunchWithTsconfig } from './relaunch.js';

/**
 * `npm run bench -- <suite> [options]`. The report goes to stdout, progress to stderr, so
 * `npm run -s bench -- backbone > report.txt` keeps just the figures. Benchmarks assert nothing: exit 0 after
 * a report, even one with phases that could not be measured; 1 only when no report could be made; 2 for a
 * bad command line.
 */
async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    process.stderr.write(
      `${error instanceof Error ? error.message : String(error)}\n\nRun with --help for the options.\n`,
    );
    return 2;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${command.text}\n`);
    return 0;
  }
  const relaunched = relaunchWithTsconfig();
  if (relaunched) return relaunched;

  const began = Date.now();
  const log = (line: string) =>
    process.stderr.write(`[bench ${((Date.now() - began) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  switch (command.suite) {
    case 'backbone': {
      // Loaded only now: the suites pull in the whole platform, which must not happen before the relaunch.
      const { runBackbone } = await import('./suites/backbone.js');
      const report = await runBackbone(command.options, log);
      process.stdout.write(`\n${report}\n`);
      return 0;
    }
    case 'ingestion': {
      const { runIngestion } = await import('./suites/ingestion.js');
      return runIngestion(log);
    }
    case 'connectors': {
      const { runConnectors } = await import('./suites/connectors.js');
      return runConnectors(log);
    }
    case 'reconciliation': {
      const { runReconciliation } = await import('./suites/reconciliation.js');
      return runReconciliation(command.reconciliation, log);
    }
    case 'soak': {
      const { runSoakSuite } = await import('./suites/soak.js');
      return runSoakSuite(command.soak, log);
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
