import { formatGuardMessage, guardOwnsStack, parseGuardMessage, processStartTime } from './dev-guard.js';
import type { GuardMessage } from './dev-guard.js';

describe('the dev guard', () => {
  it('reads back every message the runner writes, and ignores what it does not know', () => {
    const messages: GuardMessage[] = [
      { kind: 'stack-before', id: undefined },
      { kind: 'stack-before', id: 'a1b2c3' },
      { kind: 'stack', id: 'a1b2c3' },
      { kind: 'pid', pid: 4242, startTime: '123456', name: 'connector-payments', how: 'wait' },
      { kind: 'pid', pid: 4243, startTime: '-', name: 'prometheus', how: 'SIGTERM' },
      { kind: 'done' },
    ];
    for (const message of messages) expect(parseGuardMessage(formatGuardMessage(message))).toEqual(message);
    for (const line of ['', 'stop', 'pid x 1 a wait', 'pid 1 1 a SIGNOPE extra', 'pid 1 1 a rm', 'done now'])
      expect(parseGuardMessage(line)).toBeUndefined();
  });

  it('stops the stack the runner said it started, and only that one', () => {
    const told = { started: 'new', before: undefined, beforeKnown: true };
    expect(guardOwnsStack({ id: 'new', ownerPid: 10 }, told, 10)).toBe(true);
    // Replaced since by another runner's stack.
    expect(guardOwnsStack({ id: 'other', ownerPid: 11 }, told, 10)).toBe(false);
    expect(guardOwnsStack(undefined, told, 10)).toBe(false);
  });

  it('stops a stack that appeared while the runner was starting one, never one it was reusing', () => {
    // Killed inside upLocalStack: a new state file naming the runner, never announced.
    expect(guardOwnsStack({ id: 'new', ownerPid: 10 }, { before: undefined, beforeKnown: true }, 10)).toBe(
      true,
    );
    expect(guardOwnsStack({ id: 'new', ownerPid: 10 }, { before: 'old', beforeKnown: true }, 10)).toBe(true);
    // Reuse: the same stack, adopted (owner pid rewritten to the runner's).
    expect(guardOwnsStack({ id: 'old', ownerPid: 10 }, { before: 'old', beforeKnown: true }, 10)).toBe(false);
    // Someone else's new stack.
    expect(guardOwnsStack({ id: 'new', ownerPid: 11 }, { before: 'old', beforeKnown: true }, 10)).toBe(false);
    // The runner died before it looked: nothing is known to be its own.
    expect(guardOwnsStack({ id: 'new', ownerPid: 10 }, { beforeKnown: false }, 10)).toBe(false);
  });

  it('tells a process by its start time, so a reused pid is not taken for it', () => {
    const own = processStartTime(process.pid);
    expect(own).toMatch(/^\d+$/);
    expect(processStartTime(process.pid)).toBe(own);
    expect(processStartTime(2 ** 22 + 1)).toBeUndefined();
  });
});
