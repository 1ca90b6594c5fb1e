export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Match<T> {
  readonly value: T;
  /** The route as faults, throttles and the ledger name it: `POST /v2/shipments/:id/buy`. */
  readonly route: string;
  readonly params: Record<string, string>;
}

interface Entry<T> {
  readonly method: Method;
  readonly route: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly value: T;
}

/**
 * Method + path pattern (`/v2/shipments/:id/buy`) → whatever the caller registers. The route string keeps
 * the pattern, not the concrete path, so one fault or throttle covers every shipment.
 */
export class Router<T> {
  readonly #entries: Entry<T>[] = [];

  add(method: Method, path: string, value: T): void {
    const names: string[] = [];
    const source = path
      .split('/')
      .map((segment) => {
        if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(segment.slice(1));
        return '([^/]+)';
      })
      .join('/');
    const route = `${method} ${path}`;
    if (this.#entries.some((entry) => entry.route === route)) {
      throw new Error(`route ${route} registered twice`);
    }
    this.#entries.push({ method, route, pattern: new RegExp(`^${source}$`), names, value });
  }

  match(method: string, path: string): Match<T> | undefined {
    for (const entry of this.#entries) {
      if (entry.method !== method) continue;
      const found = entry.pattern.exec(path);
      if (!found) continue;
      const params = Object.fromEntries(
        entry.names.map((name, index) => [name, decodeURIComponent(found[index + 1]!)]),
      );
      return { value: entry.value, route: entry.route, params };
    }
    return undefined;
  }

  routes(): string[] {
    return this.#entries.map((entry) => entry.route);
  }
}
