import { jest } from '@jest/globals';
import type { NodeProcessExit, NodeProcessHandle } from '@tributary/testkit';
import type { RunningPlatform } from '../platform/platform.js';
import { APP_STOP_STALL_MS, STOP_STEP_TIMEOUT_MS, stopApps, within } from './dev-stop.js';

/** An app as the runner holds it: SIGTERM ends it unless it hangs; SIGKILL always does. */
function fakeApp(hangs: boolean) {
  let exit!: (value: NodeProcessExit) => void;
  const exited = new Promise<NodeProcessExit>((resolve) => (exit = resolve));
  const signals: string[] = [];
  const handle = {
    exited,
    kill: async (signal: NodeJS.Signals = 'SIGTERM') => {
      signals.push(signal);
      if (signal === 'SIGKILL') exit({ code: null, signal });
      else if (!hangs) exit({ code: 0, signal: null });
      return exited;
    },
  } as unknown as NodeProcessHandle;
  return { handle, signals };
}

/** The platform's stop as platform.ts does it: one SIGTERM at a time, in order, each awaited. */
function fakePlatform(apps: Map<string, NodeProcessHandle>): RunningPlatform {
  return {
    apps,
    stop: async (onStopped?: (app: string, exit: NodeProcessExit) => void) => {
      const exits = new Map<string, NodeProcessExit>();
      for (const [name, app] of apps) {
        const exit = await app.kill('SIGTERM');
        exits.set(name, exit);
        onStopped?.(name, exit);
      }
      return exits;
    },
  } as unknown as RunningPlatform;
}

describe('the dev stop path', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('kills every app left when one hangs in its drain, so the stop goes on', async () => {
    jest.useFakeTimers();
    const first = fakeApp(false);
    const hung = fakeApp(true);
    const last = fakeApp(false);
    const lines: string[] = [];
    const stopping = stopApps(
      fakePlatform(
        new Map([
          ['connector-crm', first.handle],
          ['ingestion', hung.handle],
          ['provider-sim', last.handle],
        ]),
      ),
      (line) => lines.push(line),
    );
    await jest.advanceTimersByTimeAsync(APP_STOP_STALL_MS - 1_000);
    expect(hung.signals).toEqual(['SIGTERM']);
    expect(last.signals).toEqual([]);
    await jest.advanceTimersByTimeAsync(2_000);
    const exits = await stopping;
    expect(exits.get('connector-crm')).toEqual({ code: 0, signal: null });
    expect(exits.get('ingestion')).toEqual({ code: null, signal: 'SIGKILL' });
    // Not drained: killed with the hung one, never left running.
    expect(exits.get('provider-sim')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(lines).toContain(
      `app    none stopped within ${APP_STOP_STALL_MS / 1000} s: killing ingestion, provider-sim`,
    );
    expect(lines).toContain('app    ingestion stopped (killed by SIGKILL)');
  });

  it('kills nothing while the apps keep stopping', async () => {
    const apps = new Map(['a', 'b'].map((name) => [name, fakeApp(false)] as const));
    const exits = await stopApps(
      fakePlatform(new Map([...apps].map(([name, app]) => [name, app.handle]))),
      () => undefined,
    );
    expect([...exits.values()]).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    for (const app of apps.values()) expect(app.signals).toEqual(['SIGTERM']);
  });

  it('goes on past a step that fails or never finishes, and says so', async () => {
    jest.useFakeTimers();
    const lines: string[] = [];
    await within(Promise.reject(new Error('simulator gone')), 'drift stop', (line) => lines.push(line));
    const hanging = within(new Promise(() => undefined), 'drift stop', (line) => lines.push(line));
    await jest.advanceTimersByTimeAsync(STOP_STEP_TIMEOUT_MS);
    await hanging;
    expect(lines).toEqual([
      'drift stop failed: simulator gone',
      `drift stop did not finish within ${STOP_STEP_TIMEOUT_MS / 1000} s; going on`,
    ]);
  });
});
