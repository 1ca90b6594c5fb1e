import { z } from 'zod';
import type { Answer } from './http.js';
import { providerName } from './webhooks.js';
import type { ProducedEvent, ProviderName } from './webhooks.js';

// Segments that would reach an object's prototype instead of one of its members.
const UNSAFE_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * A dotted path from the body's root: `amount`, `charges.data.0.status`. A segment of digits indexes an array;
 * member names containing a dot cannot be named.
 */
const pathSchema = z
  .string()
  .regex(/^[^.]+(\.[^.]+)*$/, 'a dotted path of non-empty segments, e.g. charges.data.0.status')
  .refine((path) => path.split('.').every((segment) => !UNSAFE_SEGMENTS.has(segment)), {
    message: '__proto__, prototype and constructor cannot be path segments',
  });

/**
 * A change of what a provider sends, for tests of endpoint drift: the body of one route's answers
 * (`response: 'POST /v1/payment_intents'`, as `GET /__admin/routes` names it) or of one event type's webhooks
 * (`webhook: 'payment_intent.succeeded'`; for HubSpot's batches, each event whose `subscriptionType` it is).
 * `drop` deletes paths, then `set` adds or replaces values, then `status` (responses only) replaces the
 * status. `times` limits the change to the next n answers or events it applies to.
 */
export const shapeChangeSchema = z
  .object({
    provider: providerName,
    response: z
      .string()
      .regex(/^(GET|POST|PUT|PATCH|DELETE) \/\S*$/)
      .optional(),
    webhook: z.string().min(1).optional(),
    drop: z.array(pathSchema).default([]),
    set: z.array(z.object({ path: pathSchema, value: z.json() })).default([]),
    status: z.number().int().min(100).max(599).optional(),
    times: z.number().int().positive().optional(),
  })
  .refine((change) => (change.response === undefined) !== (change.webhook === undefined), {
    message: 'name exactly one target: response or webhook',
  })
  .refine((change) => change.status === undefined || change.response !== undefined, {
    message: 'status changes responses only',
    path: ['status'],
  })
  .refine((change) => change.drop.length > 0 || change.set.length > 0 || change.status !== undefined, {
    message: 'a change needs drop, set or status',
  });

export type ShapeChange = z.infer<typeof shapeChangeSchema>;

/** A change as `GET /__admin/shape-changes` lists it. */
export type StoredShapeChange = ShapeChange & {
  id: string;
  /** Answers or events it will still change; null until removed. 0 once expired (still listed). */
  remaining: number | null;
  /** Answers or events it changed so far. */
  applied: number;
};

/**
 * The shape changes set through `/__admin/shape-changes`. Each applies to a copy of what is sent, never to
 * the providers' stored objects, replayed answers or events. Changes matching the same body apply in the order
 * they were set, each counting its own `times`.
 */
export class ShapeChanges {
  readonly #changes: StoredShapeChange[] = [];
  #nextId = 1;

  add(change: ShapeChange): StoredShapeChange {
    const stored: StoredShapeChange = {
      ...change,
      id: `shape_${this.#nextId++}`,
      remaining: change.times ?? null,
      applied: 0,
    };
    this.#changes.push(stored);
    return { ...stored };
  }

  list(): StoredShapeChange[] {
    return this.#changes.map((change) => ({ ...change }));
  }

  clear(): void {
    this.#changes.length = 0;
  }

  /**
   * The answer to send for a route's computed answer: changed by the route's changes, which apply to 2xx
   * answers only unless they set a status of their own.
   */
  response(provider: ProviderName, route: string, answer: Answer): Answer {
    const computed2xx = answer.status >= 200 && answer.status < 300;
    const matching = this.#live(
      (change) =>
        change.provider === provider &&
        change.response === route &&
        (computed2xx || change.status !== undefined),
    );
    if (matching.length === 0) return answer;
    let sent: Answer = { ...answer, body: structuredClone(answer.body) };
    for (const change of matching) {
      sent = { ...sent, body: reshape(sent.body, change), status: change.status ?? sent.status };
      this.#use(change);
    }
    return sent;
  }

  /**
   * The payload to sign and send for an event. A batched event (`elementTypes`, HubSpot's array of
   * subscription events) is changed element by element, each element counting as one event.
   */
  webhook(provider: ProviderName, event: ProducedEvent): unknown {
    const matches = (type: string) => (change: StoredShapeChange) =>
      change.provider === provider && change.webhook === type;
    if (event.elementTypes && Array.isArray(event.payload)) {
      const types = event.elementTypes;
      if (!types.some((type) => this.#live(matches(type)).length > 0)) return event.payload;
      return event.payload.map((element: unknown, index) => {
        const type = types[index];
        return type === undefined ? element : this.#apply(element, this.#live(matches(type)));
      });
    }
    return this.#apply(event.payload, this.#live(matches(event.type)));
  }

  #apply(body: unknown, changes: StoredShapeChange[]): unknown {
    if (changes.length === 0) return body;
    let changed = structuredClone(body);
    for (const change of changes) {
      changed = reshape(changed, change);
      this.#use(change);
    }
    return changed;
  }

  #live(matches: (change: StoredShapeChange) => boolean): StoredShapeChange[] {
    return this.#changes.filter((change) => change.remaining !== 0 && matches(change));
  }

  #use(change: StoredShapeChange): void {
    change.applied += 1;
    if (change.remaining !== null) change.remaining -= 1;
  }
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

/**
 * Applies one change's `drop` then `set`, in the order given, to a body it owns. A body that is not an object
 * or an array (a 204's) is left as it is; so is a path through a scalar.
 */
export function reshape(body: unknown, change: Pick<ShapeChange, 'drop' | 'set'>): unknown {
  if (!isContainer(body)) return body;
  for (const path of change.drop) dropPath(body, path.split('.'));
  for (const { path, value } of change.set) setPath(body, path.split('.'), structuredClone(value));
  return body;
}

function arrayIndex(segment: string): number | undefined {
  return /^\d+$/.test(segment) ? Number(segment) : undefined;
}

function child(node: Container, segment: string): unknown {
  if (Array.isArray(node)) {
    const index = arrayIndex(segment);
    return index === undefined ? undefined : node[index];
  }
  return Object.hasOwn(node, segment) ? node[segment] : undefined;
}

function dropPath(root: Container, segments: string[]): void {
  const last = segments.pop()!;
  let node: Container = root;
  for (const segment of segments) {
    const next = child(node, segment);
    if (!isContainer(next)) return;
    node = next;
  }
  if (Array.isArray(node)) {
    const index = arrayIndex(last);
    // Removed, not left as a hole: JSON would send a hole as null, which is a different drift.
    if (index !== undefined && index < node.length) node.splice(index, 1);
  } else {
    delete node[last];
  }
}

function setPath(root: Container, segments: string[], value: unknown): void {
  const last = segments.pop()!;
  let node: Container = root;
  for (const segment of segments) {
    let next = child(node, segment);
    // A missing or null member becomes an object, so a test can add a nested field in one step.
    if ((next === undefined || next === null) && !Array.isArray(node)) {
      next = {};
      node[segment] = next;
    }
    if (!isContainer(next)) return;
    node = next;
  }
  if (Array.isArray(node)) {
    const index = arrayIndex(last);
    // An index up to the length: replaces an element or appends one, never leaves holes.
    if (index !== undefined && index <= node.length) node[index] = value;
  } else {
    node[last] = value;
  }
}
