import type { RunningPlatform } from '../platform/platform.js';

// The parts of the dev runner's stop that wait on something outside it, each bounded: a stop that hangs
// would keep the apps and the stack running until a second Ctrl-C.

/**
 * While the apps stop one by one, the longest the runner waits for the next one to be done: an app that
 * hangs in its drain would otherwise hold the stop, and the stack behind it, until a second Ctrl-C. Above
 * the kit's own bound on a shutdown (SHUTDOWN_TIMEOUT_MS, 25 s), so an app that keeps to it is never killed.
 */
export const APP_STOP_STALL_MS = 30_000;
/** A step of the stop path that waits on something outside the runner (the simulator, the tap's broker). */
export const STOP_STEP_TIMEOUT_MS = 10_000;

/**
 * The platform's ordered stop (one SIGTERM per app, each drained and awaited), watched: when no app has
 * finished stopping for APP_STOP_STALL_MS, one hangs, and every app still running is killed so the stop,
 * and the stack's after it, goes on. An app that died before the stop counts as stopped at once.
 */
export async function stopApps(platform: RunningPlatform, log: (line: string) => void) {
  const done = new Set<string>();
  let lastProgress = Date.now();
  const watchdog = setInterval(() => {
    if (Date.now() - lastProgress < APP_STOP_STALL_MS) return;
    lastProgress = Date.now();
    const left = [...platform.apps].filter(([name]) => !done.has(name));
    log(
      `app    none stopped within ${APP_STOP_STALL_MS / 1000} s: killing ${left.map(([name]) => name).join(', ')}`,
    );
    for (const [, app] of left) void app.kill('SIGKILL');
  }, 1_000);
  try {
    return await platform.stop((name, exit) => {
      done.add(name);
      lastProgress = Date.now();
      log(
        `app    ${name} stopped (${exit.code === null ? `killed by ${exit.signal}` : `exit ${exit.code}`})`,
      );
    });
  } finally {
    clearInterval(watchdog);
  }
}

/** Waits for `step` at most STOP_STEP_TIMEOUT_MS; a failure or a hang is printed and the stop goes on. */
export async function within(
  step: Promise<unknown>,
  what: string,
  log: (line: string) => void,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    step.then(
      () => undefined,
      (error: unknown) => log(`${what} failed: ${(error as Error).message}`),
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log(`${what} did not finish within ${STOP_STEP_TIMEOUT_MS / 1000} s; going on`);
        resolve();
      }, STOP_STEP_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
}
