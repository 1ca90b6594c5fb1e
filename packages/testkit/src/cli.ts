/**
 * `npm run stack:up|down|status` and the artifact pinning command. Prints progress on stderr and the
 * connection details on stdout, so `eval "$(npm run -s stack:up)"` exports them into a shell.
 */
import { parseArgs } from 'node:util';
import { apicurioArtifacts, kafkaArtifacts, pinArtifacts } from './stack/artifacts.js';
import { endpointsToEnv } from './stack/endpoints.js';
import { downLocalStack, localStackStatus, upLocalStack } from './stack/local-stack.js';
import { stackPaths } from './stack/paths.js';
import { findToolchain, which } from './stack/prerequisites.js';
import { KAFKA_VERSIONS } from './stack/versions.js';

const usage = `usage: cli.ts <command>
  up [--kafka <version>]   start the local stack (Kafka ${KAFKA_VERSIONS.join(' | ')}, Apicurio, PostgreSQL) or reuse it
  down                     stop the processes the stack started and remove its data
  status [--json]          show the state file and whether each process is alive and answering
  pin <set>                re-fetch a pinned artifact set and rewrite its sha256 manifest
                           (sets: ${[...KAFKA_VERSIONS.map((v) => kafkaArtifacts(v).name), apicurioArtifacts.name].join(', ')})`;

// kafkajs computes a negative delay in its request queue (throttledUntil = -1), which Node 24 reports on
// every probe; the warning says nothing about the stack, so the CLI keeps its output clean of it.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'TimeoutNegativeWarning')
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

const progress = (line: string) => process.stderr.write(`[stack] ${line}\n`);

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { kafka: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${usage}\n`);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case 'up': {
      const began = Date.now();
      const kafkaVersion = values.kafka ?? process.env.TRIBUTARY_KAFKA_VERSION;
      const { state, reused, fetched } = await upLocalStack({
        owner: 'cli',
        log: progress,
        ...(kafkaVersion ? { kafkaVersion } : {}),
      });
      const how = reused ? 'reused' : fetched ? 'started (cold: artifacts fetched)' : 'started (warm)';
      progress(
        `${how} in ${((Date.now() - began) / 1000).toFixed(1)} s; logs in ${stackPaths().stackDir}/logs`,
      );
      printEnv(endpointsToEnv(state.endpoints));
      return 0;
    }
    case 'down': {
      const { wasRunning, outcomes } = await downLocalStack({ log: progress });
      const summary = Object.entries(outcomes)
        .map(([name, outcome]) => `${name} ${outcome}`)
        .join(', ');
      progress(wasRunning ? `stopped (${summary || 'nothing was alive'})` : 'no stack was running');
      return 0;
    }
    case 'status': {
      const status = await localStackStatus();
      if (values.json) {
        process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        return status.healthy ? 0 : 1;
      }
      if (!status.state) {
        process.stdout.write(`no local stack (state file ${stackPaths().stackDir}/state.json absent)\n`);
        return 1;
      }
      const { state } = status;
      process.stdout.write(
        `stack ${state.id}: ${status.healthy ? 'healthy' : state.status === 'starting' ? 'starting' : 'DEGRADED'}; ` +
          `owner ${state.owner.kind}; leases [${state.leases.join(', ')}]; since ${state.createdAt}\n`,
      );
      for (const c of status.components) {
        const health = c.ready ? 'ready' : c.running ? 'running, not answering' : 'NOT RUNNING';
        process.stdout.write(
          `  ${c.name.padEnd(9)} pid ${String(c.pid).padEnd(8)} ${health.padEnd(24)} ${c.logFile}\n`,
        );
      }
      process.stdout.write(
        `  versions: Kafka ${state.versions.kafka}, Apicurio ${state.versions.apicurio}, PostgreSQL ${state.versions.postgres}\n`,
      );
      printEnv(endpointsToEnv(state.endpoints));
      return status.healthy ? 0 : 1;
    }
    case 'pin': {
      const name = rest[0];
      const sets = [...KAFKA_VERSIONS.map((v) => kafkaArtifacts(v)), apicurioArtifacts];
      const set = sets.find((s) => s.name === name);
      if (!set) {
        process.stderr.write(`${usage}\n`);
        return 2;
      }
      const mvn = which('mvn') ?? (await findToolchain({ needMaven: true })).mvn!;
      const count = await pinArtifacts(set, stackPaths(), mvn);
      progress(`pinned ${count} files of ${set.name}`);
      return 0;
    }
    default:
      process.stderr.write(`${usage}\n`);
      return 2;
  }
}

function printEnv(env: Record<string, string>): void {
  for (const [key, value] of Object.entries(env)) process.stdout.write(`export ${key}=${value}\n`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const e = error as { code?: string; message?: string };
    process.stderr.write(`[stack] ${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}\n`);
    process.exit(1);
  },
);
