import { createInterface } from 'node:readline';
import { downLocalStack, localStackStatus } from '@tributary/testkit';
import { guardOwnsStack, parseGuardMessage, processStartTime } from './dev-guard.js';

// The dev guard (see dev-guard.ts): started by `tributary dev` with the runner's pid as its argument and a
// pipe from the runner as stdin. It waits for the pipe to end; if the runner never said `done`, it stops
// what the runner started. Detached, so no terminal signal reaches it.

/** Apps stop themselves when the runner dies (stopWithParent) and drain first; past this they are killed. */
const DRAIN_GRACE_MS = 30_000;
/** A process sent its signal gets this long before SIGKILL. */
const SIGNAL_GRACE_MS = 10_000;

const runnerPid = Number(process.argv[2]);
const log = (line: string) =>
  process.stdout.write(`${new Date().toISOString().slice(11, 23)} guard  ${line}\n`);

interface Watched {
  readonly pid: number;
  readonly startTime: string;
  readonly name: string;
  readonly how: 'wait' | NodeJS.Signals;
}

const watched: Watched[] = [];
const told: { started?: string; before?: string | undefined; beforeKnown: boolean } = { beforeKnown: false };
let done = false;

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const message = parseGuardMessage(line);
  if (!message) return;
  if (message.kind === 'done') done = true;
  else if (message.kind === 'stack') told.started = message.id;
  else if (message.kind === 'stack-before') Object.assign(told, { before: message.id, beforeKnown: true });
  else watched.push(message);
});
// Both the end of the pipe and a read error mean the runner is gone.
let acted = false;
const act = () => {
  if (acted) return;
  acted = true;
  if (done) process.exit(0);
  void stopWhatTheRunnerStarted().then(
    () => process.exit(0),
    (error: unknown) => {
      log(`could not stop everything: ${(error as Error).message}`);
      process.exit(1);
    },
  );
};
lines.on('close', act);
process.stdin.on('error', act);

async function stopWhatTheRunnerStarted(): Promise<void> {
  log(`the dev runner (pid ${runnerPid}) is gone without stopping: stopping what it started`);
  const ours = (w: Watched) => processStartTime(w.pid) === w.startTime;
  for (const w of watched.filter(ours)) {
    if (w.how === 'wait') continue;
    try {
      process.kill(w.pid, w.how);
    } catch {
      // Gone meanwhile.
    }
  }
  const deadline = (w: Watched) => (w.how === 'wait' ? DRAIN_GRACE_MS : SIGNAL_GRACE_MS);
  const began = Date.now();
  while (watched.some((w) => ours(w) && Date.now() - began < deadline(w))) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  for (const w of watched.filter(ours)) {
    log(`${w.name} (pid ${w.pid}) still running after ${deadline(w) / 1000} s: SIGKILL`);
    try {
      process.kill(w.pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  const { state } = await localStackStatus();
  const current = state ? { id: state.id, ownerPid: state.owner.pid } : undefined;
  if (guardOwnsStack(current, told, runnerPid)) {
    log(`stopping the stack it started (${state!.id})`);
    await downLocalStack({ log: (line) => log(`stack ${line}`) });
  }
  log('done');
}
