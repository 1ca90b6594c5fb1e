import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@tributary/testkit';

const packageDir = fileURLToPath(new URL('../../..', import.meta.url));

interface Run {
  lines: Record<string, unknown>[];
  nonJson: string[];
  exit: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}

function startFixture(mode: string, env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/shutdown-app.ts'], {
    cwd: packageDir,
    env: { ...process.env, FIXTURE_MODE: mode, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = {
    lines: [],
    nonJson: [],
    exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    kill: (signal) => child.kill(signal),
  };
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const complete = buffered.split('\n');
    buffered = complete.pop()!;
    for (const line of complete.filter(Boolean)) {
      try {
        run.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        run.nonJson.push(line);
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => run.nonJson.push(chunk.toString('utf8')));
  return run;
}

async function listening(run: Run): Promise<string> {
  const line = await waitFor('the listening line', () => run.lines.find((l) => l.msg === 'listening'));
  return line.url as string;
}

// Each case starts Node with tsx and Nest: seconds on a loaded machine, well over jest's 5 s default.
const PROCESS_TEST_TIMEOUT_MS = 60_000;

describe('bootstrapApp (child process)', () => {
  it(
    'logs JSON only, serves health, and on SIGTERM drains in phase order and exits 0',
    async () => {
      const run = startFixture('clean');
      const url = await listening(run);

      const live = await fetch(new URL('/health/live', url));
      expect(live.status).toBe(200);

      run.kill('SIGTERM');
      expect(await run.exit).toBe(0);

      const messages = run.lines.map((l) => l.msg);
      const order = ['consumer drained', 'relay flushed', 'pool closed', 'shutdown complete', 'exiting'];
      expect(messages.filter((m) => order.includes(m as string))).toEqual(order);
      expect(run.nonJson).toEqual([]);
      expect(run.lines.every((l) => l.service === 'fixture')).toBe(true);
      // At info, fast requests leave no access log line.
      expect(messages).not.toContain('request');
      expect(run.lines.find((l) => l.msg === 'consumer drained')).toMatchObject({
        context: 'Worker',
        password: '[REDACTED]',
      });
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'writes an access log line per request at debug: route template, status, ids; never the query string',
    async () => {
      const run = startFixture('clean', { FIXTURE_LOG_LEVEL: 'debug' });
      const url = await listening(run);
      const response = await fetch(new URL('/health/live?token=s3cret', url), {
        headers: { 'correlation-id': 'order-42' },
      });
      expect(response.status).toBe(200);
      const line = await waitFor('the access log line', () =>
        run.lines.find((l) => l.msg === 'request' && l.route === '/health/live'),
      );
      expect(line).toMatchObject({
        level: 'debug',
        method: 'GET',
        status: 200,
        correlationId: 'order-42',
        requestId: expect.any(String),
        durationMs: expect.any(Number),
      });
      expect(JSON.stringify(line)).not.toContain('s3cret');
      run.kill('SIGTERM');
      expect(await run.exit).toBe(0);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'exits 1 when a shutdown step fails, after running the later phases',
    async () => {
      const run = startFixture('failing-step');
      await listening(run);

      run.kill('SIGTERM');
      expect(await run.exit).toBe(1);

      const messages = run.lines.map((l) => l.msg);
      expect(messages).toContain('shutdown step failed');
      expect(messages).toContain('pool closed');
      expect(run.lines.find((l) => l.msg === 'exiting')).toMatchObject({ failed: true });
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'exits 1 at the deadline when a step hangs',
    async () => {
      const run = startFixture('stuck-step');
      await listening(run);

      run.kill('SIGTERM');
      expect(await run.exit).toBe(1);
      expect(run.lines.find((l) => l.msg === 'shutdown deadline passed, exiting')).toMatchObject({
        level: 'fatal',
        timeoutMs: 300,
      });
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
