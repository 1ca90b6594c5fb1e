import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnNodeProcess } from './node-process.js';
import { waitFor } from './wait-for.js';

const worker = fileURLToPath(new URL('../../test/fixtures/echo-worker.ts', import.meta.url));
const spawner = fileURLToPath(new URL('../../test/fixtures/spawner.ts', import.meta.url));

/** Whether `pid` is a live process (a zombie waiting for a reaper counts as gone). */
function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

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

  it('keeps a detached child out of its parent group: a Ctrl-C to the group reaches only the plain child', async () => {
    // The spawner is detached from this jest worker, so the group signal below stays within its group.
    const runner = spawnNodeProcess(spawner, { args: ['plain', 'detached'], detached: true });
    try {
      const detachedPid = Number((await runner.waitForOutput(/started detached (\d+)/))[1]);
      await runner.waitForOutput('detached: tick 1');
      await runner.waitForOutput('plain: tick 1');
      process.kill(-runner.pid, 'SIGINT');
      await runner.waitForOutput('spawner SIGINT');
      await runner.waitForOutput('exited plain {"code":null,"signal":"SIGINT"}');
      // Still ticking after the plain one died of the same Ctrl-C.
      const ticks = runner.output.split('\n').filter((line) => line.startsWith('detached: tick')).length;
      await runner.waitForOutput(`detached: tick ${ticks + 1}`);
      expect(runner.output).not.toContain('exited detached');
      expect(isRunning(detachedPid)).toBe(true);
    } finally {
      await runner.kill('SIGTERM');
    }
  });

  it('stops a child started with stopWithParent when its parent is SIGKILLed', async () => {
    const runner = spawnNodeProcess(spawner, {
      args: ['detached'],
      detached: true,
      env: { FIXTURE_QUIET: '1' },
    });
    const pid = Number((await runner.waitForOutput(/started detached (\d+)/))[1]);
    await runner.waitForOutput('detached: ready');
    await runner.kill('SIGKILL');
    try {
      await waitFor(() => !isRunning(pid), {
        timeoutMs: 10_000,
        message: `worker ${pid} gone after its parent`,
      });
    } finally {
      if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
