import { CreateDeadLetters1764300000000 } from './dead-letters.migration.js';
import { AddDiscardSignal1765324800001 } from './discard-signal.migration.js';
import { AddReplayClaims1765929600000 } from './replay-claims.migration.js';
import { AddReplayOutcome1765065600000 } from './replay-outcome.migration.js';
import { AddPayloadScrub1796515200001 } from './payload-scrub.migration.js';

/** This app's migrations in order (they run after the platform's): the app and its int specs run the same. */
export const deadLetterMigrations = [
  CreateDeadLetters1764300000000,
  AddReplayOutcome1765065600000,
  AddDiscardSignal1765324800001,
  AddReplayClaims1765929600000,
  AddPayloadScrub1796515200001,
];
