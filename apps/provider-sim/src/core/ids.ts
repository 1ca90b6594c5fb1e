import { randomBytes } from 'node:crypto';

const POOL_SIZE = 64 * 1024;
let pool = randomBytes(POOL_SIZE);
let used = 0;

/** Random hex, drawn from a pooled buffer: seeding a hundred thousand objects makes a million ids. */
export function randomHex(length: number): string {
  const bytes = Math.ceil(length / 2);
  if (used + bytes > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    used = 0;
  }
  const hex = pool.toString('hex', used, used + bytes);
  used += bytes;
  return hex.slice(0, length);
}

// Starts from the time so ids of two simulator runs never collide; only increases afterwards.
let sequence = Date.now() * 1000;
const SEQUENCE_DIGITS = 13;

/**
 * `<prefix>_<hex>`: a process-wide sequence, then random hex. Ids made later compare greater, so "ties broken
 * by id" lists objects created within one second in the order they were made, as a reader expects.
 */
export function sortableId(prefix: string, length: number): string {
  sequence += 1;
  const head = sequence.toString(16).padStart(SEQUENCE_DIGITS, '0');
  return `${prefix}_${head}${randomHex(Math.max(0, length - SEQUENCE_DIGITS))}`;
}
