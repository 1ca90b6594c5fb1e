import type { WebhookDefinition } from '../definition.js';
import { easypostWebhook } from './easypost.webhook.js';
import { githubWebhook } from './github.webhook.js';
import { hubspotWebhook } from './hubspot.webhook.js';
import { stripeWebhook } from './stripe.webhook.js';

export {
  EASYPOST_REFS,
  EASYPOST_TRACKER_STATUSES,
  easypostScheme,
  easypostWebhook,
} from './easypost.webhook.js';
export { githubWebhook } from './github.webhook.js';
export { HUBSPOT_CONTACT_REF, hubspotSignatureV3, hubspotWebhook } from './hubspot.webhook.js';
export { STRIPE_METADATA, stripeFailureCode, stripeWebhook } from './stripe.webhook.js';

/** Every provider this build knows, by path segment. A provider missing here answers 404. */
export const webhookDefinitions: Readonly<Record<string, WebhookDefinition>> = Object.fromEntries(
  [stripeWebhook, hubspotWebhook, easypostWebhook, githubWebhook].map((definition) => [
    definition.provider,
    definition,
  ]),
);
