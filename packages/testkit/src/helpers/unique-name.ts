import { randomBytes } from 'node:crypto';

let counter = 0;

/**
 * A name no other test (in this run or a parallel one on the same stack) will pick: prefix, time, pid
 * counter and randomness, lowercase with underscores, so the same value is valid as a Kafka topic, a
 * consumer group, a Postgres database or schema (up to 63 characters), and a registry subject.
 */
export function uniqueName(prefix: string): string {
  if (!/^[a-z][a-z0-9_.-]*$/i.test(prefix)) {
    throw new Error(
      `uniqueName: prefix "${prefix}" must start with a letter and use only letters, digits, _ . -`,
    );
  }
  counter = (counter + 1) % 1_296;
  const suffix = `${Date.now().toString(36)}${counter.toString(36).padStart(2, '0')}${randomBytes(3).toString('hex')}`;
  const maxPrefix = 63 - suffix.length - 1;
  return `${prefix.toLowerCase().slice(0, maxPrefix)}_${suffix}`;
}
