import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestPriority } from './provider-request.js';

const ambient = new AsyncLocalStorage<RequestPriority>();

/**
 * Runs `work` with `priority` as the default of every provider call made within it, however deep: the
 * runtime runs reconciliation readers under `low`, so a reader that reuses a client's ordinary methods
 * cannot spend the budget event handlers need by forgetting an option. A call's own `priority` still wins.
 */
export function withRequestPriority<T>(priority: RequestPriority, work: () => Promise<T>): Promise<T> {
  return ambient.run(priority, work);
}

/** The priority a call goes with: its own, else the ambient one, else `normal`. */
export function priorityOf(request: { readonly priority?: RequestPriority }): RequestPriority {
  return request.priority ?? ambient.getStore() ?? 'normal';
}
