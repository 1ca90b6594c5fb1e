import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { isAlive, isOurProcess, stopProcess } from './processes.js';

/** A child that prints "ready" once its signal handlers are installed, carrying `marker` in its argv. */
async function child(marker: string, options: { ignoreSigterm?: boolean } = {}) {
  const script = `${options.ignoreSigterm ? "process.on('SIGTERM', () => {});" : ''} setInterval(() => {}, 1000); console.log('ready');`;
  const proc = spawn(process.execPath, ['-e', script, '--', marker], { stdio: ['ignore', 'pipe', 'ignore'] });
  await once(proc.stdout, 'data');
  return { proc, pid: proc.pid! };
}

describe('stopping recorded processes', () => {
  it('recognizes a process by the marker in its command line', async () => {
    const { proc, pid } = await child('--tributary-test=one');
    try {
      expect(isOurProcess({ pid, marker: '--tributary-test=one' })).toBe(true);
      expect(isOurProcess({ pid, marker: '--tributary-test=two' })).toBe(false);
    } finally {
      proc.kill('SIGKILL');
    }
  });

  it('stops a process that carries the marker', async () => {
    const { pid } = await child('--tributary-test=stop');
    await expect(stopProcess({ pid, marker: '--tributary-test=stop' }, { graceMs: 5_000 })).resolves.toBe(
      'stopped',
    );
    expect(isAlive(pid)).toBe(false);
  });

  it('leaves alone a pid that now runs something else', async () => {
    const { proc, pid } = await child('--tributary-test=other');
    try {
      await expect(stopProcess({ pid, marker: '--tributary-test=recycled' })).resolves.toBe('not-running');
      expect(isAlive(pid)).toBe(true);
    } finally {
      proc.kill('SIGKILL');
    }
  });

  it('escalates to SIGKILL when the graceful signal is ignored', async () => {
    const { pid } = await child('--tributary-test=stubborn', { ignoreSigterm: true });
    await expect(stopProcess({ pid, marker: '--tributary-test=stubborn' }, { graceMs: 200 })).resolves.toBe(
      'killed',
    );
    expect(isAlive(pid)).toBe(false);
  });
});
