import { exampleOf } from './example.js';
import { endpointKeyOf } from './observation.js';
import type {
  EndpointDeclaration,
  ObservedShape,
  ShapeObservation,
  ShapeRun,
  ShapeSurface,
} from './observation.js';
import { ShapeCache, canonicalShape, shapeOf } from './shape.js';
import { pathTrieOf } from './paths.js';
import type { PathTrie } from './paths.js';
import { structureKey } from './structure.js';

export interface ShapeObserverOptions {
  readonly surface: ShapeSurface;
  /** The observing app (`connector-payments`, `ingestion`). */
  readonly observer: string;
  /** What the definition declares about an endpoint of a provider; undefined when nothing. */
  readonly declarationOf: (provider: string, endpoint: string) => EndpointDeclaration | undefined;
  /**
   * Replaces personal data and secrets in a sample before it becomes an example: the ownership map's
   * personal data fields, the secret names, and `personalData` (the endpoint's declared provider paths).
   */
  readonly redact: (value: unknown, personalData: readonly string[]) => unknown;
  /** Sends a window's observations (the outbox, in one transaction). Rejecting keeps them for the next. */
  readonly send: (observations: readonly ShapeObservation[]) => Promise<void>;
  readonly flushIntervalMs: number;
  /** Called when a send fails; the observations are kept (bounded) and sent with the next window. */
  readonly onSendError?: (error: unknown) => void;
  /** Called when sampling itself fails on a body: the sample is dropped, the provider call goes on. */
  readonly onObserveError?: (error: unknown) => void;
  /** Epoch ms; default Date.now. */
  readonly now?: () => number;
}

interface Window {
  readonly provider: string;
  readonly endpoint: string;
  start: number;
  end: number;
  runs: { hash: string; count: number }[];
  readonly shapes: Map<string, ObservedShape>;
  /** About the size of `shapes` in an event: a window stays well below Kafka's message size. */
  bytes: number;
}

interface Compiled {
  /** `endpointKeyOf` the endpoint, built once. */
  readonly key: string;
  /** The endpoint as sent: OTHER_ENDPOINT past the limit. */
  readonly endpoint: string;
  /**
   * The endpoint's own known shapes by fingerprint: a shape's example is one of this endpoint's samples,
   * redacted with its own personal data paths, even when another endpoint or provider sends the same shape.
   */
  readonly cache: ShapeCache;
  /** Enum, map and relied-on paths: what the walks and the example read of the declaration. */
  readonly paths: PathTrie;
  readonly declaration: ShapeObservation['declaration'];
  readonly personalData: readonly string[];
}

/**
 * A window that cannot be sent keeps at most this many runs: while the database is down a provider
 * alternating shapes costs bounded memory, and the oldest runs are the ones given up.
 */
const MAX_RUNS_PER_WINDOW = 5_000;

/** Fingerprints remembered per endpoint: far more than a provider's real variety of one answer. */
const SHAPES_PER_ENDPOINT = 256;

/**
 * Shapes carried by one endpoint's window, in bytes (paths, example): a window over it leaves its further new
 * shapes out (their runs name a hash reconciliation skips) until the next window, which carries them.
 */
const MAX_WINDOW_SHAPE_BYTES = 256 * 1024;

/**
 * Endpoints per provider and surface: endpoint names come from the provider (webhook event types,
 * configured sources' type fields), so past this many a new one is counted under OTHER_ENDPOINT.
 */
const MAX_ENDPOINTS = 500;
export const OTHER_ENDPOINT = '(other)';

/**
 * Samples what one app receives from providers (docs/architecture.md#provider-shapes). `observe` is on the
 * hot path: one walk of the parsed body that hashes its structure (`structureKey`, no allocation per field)
 * and a lookup in the endpoint's cache; only a shape this process has not seen before is reduced to paths,
 * made canonical, hashed and redacted into an example. Every `flushIntervalMs` each endpoint's samples
 * of the window go out as one observation, in order, consecutive samples of one shape as one run.
 */
export class ShapeObserver {
  readonly #options: ShapeObserverOptions;
  readonly #now: () => number;
  /** Provider → endpoint → what its declaration compiles to. */
  readonly #compiled = new Map<string, Map<string, Compiled>>();
  #windows = new Map<string, Window>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(options: ShapeObserverOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * One sample: a response's parsed body with its status, or a verified webhook's payload (status null). A
   * body that is not JSON (text, empty) is a sample too: a new status answered with an HTML page is a change.
   * Never throws: sampling must not fail the call it samples.
   */
  observe(provider: string, endpoint: string, status: number | null, body: unknown): void {
    if (body === undefined) return;
    try {
      this.#observe(provider, endpoint, status, body);
    } catch (error) {
      this.#options.onObserveError?.(error);
    }
  }

  #observe(provider: string, endpoint: string, status: number | null, body: unknown): void {
    const compiled = this.#compile(provider, endpoint);
    const fingerprint = structureKey(body, compiled.paths);
    let shape = compiled.cache.get(status, fingerprint);
    if (!shape) {
      const example = exampleOf(
        body,
        (value) => this.#options.redact(value, compiled.personalData),
        compiled.paths,
      );
      shape = canonicalShape(shapeOf(body, compiled.paths), status, example);
      compiled.cache.set(status, fingerprint, shape);
    }
    const now = this.#now();
    let window = this.#windows.get(compiled.key);
    if (!window) {
      window = {
        provider,
        endpoint: compiled.endpoint,
        start: now,
        end: now,
        runs: [],
        shapes: new Map(),
        bytes: 0,
      };
      this.#windows.set(compiled.key, window);
    }
    window.end = now;
    const last = window.runs[window.runs.length - 1];
    if (last?.hash === shape.hash) last.count++;
    else {
      // A window that keeps alternating shapes gives up its oldest runs, as a window that cannot be sent does.
      if (window.runs.length >= MAX_RUNS_PER_WINDOW) window.runs.shift();
      window.runs.push({ hash: shape.hash, count: 1 });
    }
    if (!window.shapes.has(shape.hash)) {
      const bytes = sizeOf(shape);
      if (window.bytes + bytes > MAX_WINDOW_SHAPE_BYTES) return;
      window.shapes.set(shape.hash, shape);
      window.bytes += bytes;
    }
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.flush(), this.#options.flushIntervalMs);
    // Sampling never keeps a process alive; stop() sends the last window.
    this.#timer.unref();
  }

  /** Sends what was observed since the last flush; one flush at a time. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  /** Stops the timer and sends the last window (shutdown calls it before the relay drains). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#flushing;
    await this.flush();
  }

  async #flush(): Promise<void> {
    if (this.#windows.size === 0) return;
    const windows = this.#windows;
    this.#windows = new Map();
    const observations = [...windows.values()].map((window) => this.#observationOf(window));
    try {
      await this.#options.send(observations);
    } catch (error) {
      this.#requeue(windows);
      try {
        this.#options.onSendError?.(error);
      } catch {
        // A failing error callback must not become an unhandled rejection of the timer's flush.
      }
    }
  }

  #observationOf(window: Window): ShapeObservation {
    const runs: ShapeRun[] = window.runs.map((run) => ({ ...run }));
    const named = new Set(runs.map((run) => run.hash));
    return {
      provider: window.provider,
      surface: this.#options.surface,
      endpoint: window.endpoint,
      observer: this.#options.observer,
      windowStart: new Date(window.start),
      windowEnd: new Date(window.end),
      runs,
      // Only the shapes its runs name: one whose runs were given up goes with them.
      shapes: [...window.shapes.values()].filter((shape) => named.has(shape.hash)),
      declaration: this.#compile(window.provider, window.endpoint).declaration,
    };
  }

  /** Puts unsent windows back in front of what arrived since, so the order of samples holds. */
  #requeue(unsent: Map<string, Window>): void {
    for (const [key, old] of unsent) {
      const newer = this.#windows.get(key);
      if (newer) {
        const first = newer.runs[0];
        const last = old.runs[old.runs.length - 1];
        if (first && last?.hash === first.hash) {
          last.count += first.count;
          newer.runs.shift();
        }
        old.runs.push(...newer.runs);
        old.end = newer.end;
        for (const [hash, shape] of newer.shapes) {
          if (old.shapes.has(hash) || old.bytes + sizeOf(shape) > MAX_WINDOW_SHAPE_BYTES) continue;
          old.shapes.set(hash, shape);
          old.bytes += sizeOf(shape);
        }
      }
      if (old.runs.length > MAX_RUNS_PER_WINDOW) {
        old.runs = old.runs.slice(-MAX_RUNS_PER_WINDOW);
        // Each shape holds an example of up to 8 KiB: one no kept run names is given up with its runs.
        const named = new Set(old.runs.map((run) => run.hash));
        for (const [hash, shape] of old.shapes) {
          if (named.has(hash)) continue;
          old.shapes.delete(hash);
          old.bytes -= sizeOf(shape);
        }
      }
      this.#windows.set(key, old);
    }
  }

  #compile(provider: string, endpoint: string): Compiled {
    let endpoints = this.#compiled.get(provider);
    if (!endpoints) this.#compiled.set(provider, (endpoints = new Map()));
    let compiled = endpoints.get(endpoint);
    if (compiled) return compiled;
    if (endpoints.size >= MAX_ENDPOINTS && endpoint !== OTHER_ENDPOINT)
      return this.#compile(provider, OTHER_ENDPOINT);
    const key = endpointKeyOf({ provider, surface: this.#options.surface, endpoint });
    const declaration = this.#options.declarationOf(provider, endpoint) ?? {};
    const reliesOn = declaration.reliesOn ?? [];
    compiled = {
      key,
      endpoint,
      cache: new ShapeCache(SHAPES_PER_ENDPOINT),
      paths: pathTrieOf({
        enums: [
          ...(declaration.enums ?? []),
          ...reliesOn.filter((reliance) => reliance.values).map((reliance) => reliance.path),
        ],
        maps: declaration.maps ?? [],
        kept: reliesOn.map((reliance) => reliance.path),
      }),
      declaration: {
        ...(declaration.enums ? { enums: declaration.enums } : {}),
        ...(declaration.reliesOn ? { reliesOn: declaration.reliesOn } : {}),
      },
      personalData: declaration.personalData ?? [],
    };
    endpoints.set(endpoint, compiled);
    return compiled;
  }
}

/** What a shape adds to an observation, near enough: its paths and its example. */
function sizeOf(shape: ObservedShape): number {
  let bytes = shape.example.length + 64;
  for (const field of shape.fields) bytes += field.path.length + 24;
  for (const item of shape.enums) bytes += item.path.length + item.value.length + 24;
  return bytes;
}
