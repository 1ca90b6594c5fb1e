/** What may cut a relay's pause short; each pause says which of them it listens to. */
export interface WakeOn {
  readonly notify: boolean;
  readonly broken: boolean;
}

interface Waiter {
  readonly resolve: () => void;
  readonly wakeOn: WakeOn;
  readonly owner: object | undefined;
}

/**
 * The pauses of one relay process (its claim loop and each shard's publisher) and the three things that end
 * them: stop(), a NOTIFY (a shard's rows may have committed) and the loss of the session.
 */
export class RelaySignals {
  readonly #waiters = new Set<Waiter>();
  readonly #isBroken: () => boolean;
  #stopping = false;

  constructor(isBroken: () => boolean) {
    this.#isBroken = isBroken;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  stop(): void {
    this.#stopping = true;
    for (const waiter of this.#waiters) waiter.resolve();
  }

  notified(): void {
    for (const waiter of this.#waiters) if (waiter.wakeOn.notify) waiter.resolve();
  }

  broken(): void {
    for (const waiter of this.#waiters) if (waiter.wakeOn.broken) waiter.resolve();
  }

  /** Ends the pauses of one owner (a shard publisher told to give its shard back). */
  wake(owner: object): void {
    for (const waiter of this.#waiters) if (waiter.owner === owner) waiter.resolve();
  }

  /** A sleep that stop() and wake(owner) cut short, and as asked a NOTIFY or a broken session. */
  sleep(ms: number, wakeOn: WakeOn, owner?: object): Promise<void> {
    if (this.#stopping || (wakeOn.broken && this.#isBroken())) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve();
      };
      const timer = setTimeout(done, ms);
      const waiter: Waiter = { resolve: done, wakeOn, owner };
      this.#waiters.add(waiter);
    });
  }
}
