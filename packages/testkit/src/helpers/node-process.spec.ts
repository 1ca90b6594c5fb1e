import { fileURLToPath } from 'node:url';
import { spawnNodeProcess } from './node-process.js';

const worker = fileURLToPath(new URL('../../test/fixtures/echo-worker.ts', import.meta.url));

describe('spawnNodeProcess', () => {
  it('runs a TypeScript script that imports workspace packages, with the given environment', async () => {
    const child = spawnNodeProcess(worker, { env: { FIXTURE_GREETING: 'hello' } });
    const ready = await child.waitForOutput(/ready (fixture_\w+) greeting=(\w+)/);
    expect(ready[2]).toBe('hello');
    await child.kill('SIGKILL');
  });

  it('matches consecutive occurrences on consecutive waits and reports a SIGKILL', async () => {
    const child = spawnNodeProcess(worker);
    expect((await child.waitForOutput(/tick (\d+)/))[1]).toBe('1');
    expect((await child.waitForOutput(/tick (\d+)/))[1]).toBe('2');
    const exit = await child.kill('SIGKILL');
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('lets a script shut down on SIGTERM and keeps its output', async () => {
    const child = spawnNodeProcess(worker);
    await child.waitForOutput('tick 1');
    const exit = await child.kill();
    expect(exit.code).toBe(0);
    expect(child.stdout).toContain('bye');
  });

  it('rejects a wait when the process exits first, quoting what it printed', async () => {
    const child = spawnNodeProcess(worker, { args: ['fail'] });
    await expect(child.waitForOutput('never printed')).rejects.toThrow(
      /exited before printing[\s\S]*failing on purpose/,
    );
    expect(await child.exited).toEqual({ code: 3, signal: null });
    expect(child.stderr).toContain('failing on purpose');
  });
});
