/** A source of uniform numbers in [0, 1), like Math.random; injectable so tests can seed it. */
export type Random = () => number;

/**
 * A small seeded generator (mulberry32): the same seed gives the same sequence, so statistical tests of the
 * simulator's distributions are exact repeats, never flaky.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
export function standardNormal(random: Random): number {
  // 1 - u keeps the logarithm away from 0.
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
