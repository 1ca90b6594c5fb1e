import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { findRepoRoot, renderConnector, writeConnector } from './new-connector.js';

// The generated app lives under .tributary/ (gitignored; outside the `apps/*` workspaces, jest's testMatch,
// eslint, prettier and turbo), so a folder left behind by a killed run breaks nothing, while Node and tsc
// still resolve the workspace packages from the repository's node_modules.
const repoRoot = findRepoRoot();
const appsDir = join(repoRoot, '.tributary', 'gen');
const name = `gen${randomBytes(4).toString('hex')}`;
const dir = join(appsDir, `connector-${name}`);
const require = createRequire(import.meta.url);

interface Run {
  code: number | null;
  output: string;
  ms: number;
}

/** Runs node with these arguments in `cwd`, collecting the output (no shell, no fixed waits). */
function node(args: string[], cwd: string): Promise<Run> {
  const began = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output, ms: Date.now() - began }));
  });
}

interface JestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: Array<{ name: string; assertionResults: Array<{ fullName: string; status: string }> }>;
}

const timings: Record<string, number> = {};

afterAll(async () => {
  // Whatever happened above: the app folder goes (its database and processes went with the child run).
  await rm(dir, { recursive: true, force: true });
  process.stdout.write(
    `new-connector int (${name}): ${Object.entries(timings)
      .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`)
      .join(', ')}\n`,
  );
}, 30_000);

describe('npm run new:connector', () => {
  it('generates an app that builds, passes its unit test and the connector conformance suite', async () => {
    let began = Date.now();
    await mkdir(appsDir, { recursive: true });
    const scaffold = renderConnector({ name, repoRoot, appsDir });
    await writeConnector(scaffold);
    timings.generate = Date.now() - began;

    // Both tsconfigs: the build (what runs) and the typecheck of the specs (what the author will edit).
    const tsc = require.resolve('typescript/bin/tsc');
    const typecheck = await node([tsc, '-p', 'tsconfig.json', '--noEmit'], dir);
    expect({ code: typecheck.code, output: typecheck.output }).toEqual({ code: 0, output: '' });
    const build = await node([tsc, '-p', 'tsconfig.build.json'], dir);
    expect({ code: build.code, output: build.output }).toEqual({ code: 0, output: '' });
    timings.tsc = typecheck.ms + build.ms;

    // The generated specs themselves, through the repository's jest projects narrowed to the new folder: the
    // int project's global setup reuses the stack this run already exported to the environment.
    const configPath = join(dir, 'jest.generated.config.js');
    await writeFile(configPath, childJestConfig(), 'utf8');
    const reportPath = join(dir, 'jest-report.json');
    began = Date.now();
    const run = await node(
      [
        '--experimental-vm-modules',
        join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js'),
        '--config',
        configPath,
        '--ci',
        '--runInBand',
        '--json',
        '--outputFile',
        reportPath,
      ],
      repoRoot,
    );
    timings['unit + conformance'] = Date.now() - began;
    // The child's own output is the diagnosis when it fails: jest crashed, or a scenario failed.
    if (run.code !== 0)
      throw new Error(`generated app's jest run exited ${run.code}:\n${run.output.slice(-20_000)}`);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as JestReport;
    const results = report.testResults.flatMap((file) => file.assertionResults);
    const conformance = results.filter((r) => r.fullName.startsWith(`connector conformance: ${name}`));
    expect(report.numFailedTests).toBe(0);
    expect(conformance.map((r) => r.status)).toEqual(Array(9).fill('passed'));
    expect(results.length - conformance.length).toBe(3); // the unit spec of the definition
    timings.conformance = conformanceMs(run.output) ?? Number.NaN;
  }, 600_000);
});

/** The root jest config with every project's tests narrowed to the generated app. */
function childJestConfig(): string {
  return `import root from ${JSON.stringify(join(repoRoot, 'jest.config.js'))};
const app = ${JSON.stringify(dir)};
export default {
  ...root,
  rootDir: ${JSON.stringify(repoRoot)},
  reporters: ['default'],
  projects: root.projects.map((project) => ({
    ...project,
    rootDir: ${JSON.stringify(repoRoot)},
    roots: [app],
    testMatch: project.testMatch.map((glob) => glob.replace('<rootDir>/{apps,packages}/*', app)),
  })),
};
`;
}

/** jest's "PASS int …conformance.e2e-spec.ts (35.284 s)" line: the suite's own duration. */
function conformanceMs(output: string): number | undefined {
  const match = /conformance\.e2e-spec\.ts \((\d+(?:\.\d+)?) s\)/.exec(output);
  return match ? Number(match[1]) * 1000 : undefined;
}
