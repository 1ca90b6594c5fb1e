import { performance } from 'node:perf_hooks';
import { PERSONAL_DATA_FIELDS, createRedactor } from '@tributary/observability';
import type { Redactor } from '@tributary/observability';
import { ShapeObserver } from '@tributary/provider-shapes';
import {
  PAYMENT_INTENT_DECLARATION,
  PAYMENT_INTENT_ENDPOINT,
  paymentIntentAnswer,
} from './payment-intent-answer.js';
import { median } from './shape-figures.js';
import type { SamplingCost } from './shape-figures.js';

export interface SamplingCostOptions {
  /** Rounds of each measure; the medians are reported. */
  readonly rounds?: number;
  /** Calls per round of `JSON.parse` and of a known shape's `observe()`. */
  readonly callsPerRound?: number;
  /** Calls per round of a new shape's `observe()`, each with an answer of a shape not seen before. */
  readonly newShapesPerRound?: number;
}

/** Distinct parsed copies cycled through, so no measure keeps hitting one object V8 has specialised on. */
const COPIES = 64;

/**
 * What sampling one PaymentIntent answer costs in this process: a known shape's `observe()` and a new shape's
 * against `JSON.parse` of the same body, with the real ShapeObserver wired as the service kit wires it (the
 * declaration's enums and reliances, examples redacted like log lines) and a `send` that does nothing. The
 * measures alternate within each round and swap order every round, so a slower moment of the machine falls
 * on both; the medians over rounds leave the odd garbage collection out.
 */
export async function measureSamplingCost(options: SamplingCostOptions = {}): Promise<SamplingCost> {
  const rounds = options.rounds ?? 15;
  const calls = options.callsPerRound ?? 2_000;
  const newShapes = options.newShapesPerRound ?? 100;
  const { provider, operation } = PAYMENT_INTENT_ENDPOINT;
  const text = JSON.stringify(paymentIntentAnswer());
  const copies = Array.from({ length: COPIES }, () => JSON.parse(text) as unknown);
  // Parsed before any clock starts, and fewer in all than the observer's shape cache holds, so the known
  // shape is never evicted by the new ones.
  const novel = Array.from({ length: rounds + 1 }, (_, round) =>
    Array.from(
      { length: newShapes },
      (__, i) => JSON.parse(JSON.stringify(paymentIntentAnswer(`bench_${round}_${i}`))) as unknown,
    ),
  );
  const observer = observerLikeTheKit();
  let sink = 0;

  const parse = () => {
    const started = performance.now();
    for (let i = 0; i < calls; i++) sink += (JSON.parse(text) as { amount: number }).amount;
    return ((performance.now() - started) * 1000) / calls;
  };
  const observeKnown = () => {
    const started = performance.now();
    for (let i = 0; i < calls; i++) observer.observe(provider, operation, 200, copies[i % COPIES]);
    return ((performance.now() - started) * 1000) / calls;
  };
  const observeNew = (bodies: readonly unknown[]) => {
    const started = performance.now();
    for (const body of bodies) observer.observe(provider, operation, 200, body);
    return ((performance.now() - started) * 1000) / bodies.length;
  };

  // Untimed: compiles the endpoint, caches the shape and lets V8 optimise every path measured.
  parse();
  observeKnown();
  observeNew(novel[rounds]!);
  await observer.flush();

  const parses: number[] = [];
  const known: number[] = [];
  const fresh: number[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      parses.push(parse());
      known.push(observeKnown());
    } else {
      known.push(observeKnown());
      parses.push(parse());
    }
    fresh.push(observeNew(novel[round]!));
    // The window would otherwise grow by a run and a shape with its example per new answer, round after round.
    await observer.flush();
  }
  if (sink === 0) throw new Error('JSON.parse returned no amount: the answer fixture lost its amount');
  return {
    bodyBytes: Buffer.byteLength(text),
    rounds,
    parseMicros: median(parses),
    cachedMicros: median(known),
    newShapeMicros: median(fresh),
  };
}

/** A ShapeObserver as createShapeSampling (service kit) builds it, with a send that does nothing. */
function observerLikeTheKit(): ShapeObserver {
  const redactors = new Map<string, Redactor>();
  return new ShapeObserver({
    surface: 'response',
    observer: 'bench',
    declarationOf: () => PAYMENT_INTENT_DECLARATION,
    redact: (value, personalData) => {
      const key = personalData.join('\u0000');
      let redactor = redactors.get(key);
      if (!redactor) {
        redactor = createRedactor([], [...PERSONAL_DATA_FIELDS, ...personalData]);
        redactors.set(key, redactor);
      }
      return redactor(value);
    },
    send: () => Promise.resolve(),
    flushIntervalMs: 60_000,
  });
}
