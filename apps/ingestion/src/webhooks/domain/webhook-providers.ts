import { WebhookError, WebhookErrorCode, createVerifier } from '@tributary/webhooks';
import type { WebhookDefinition, WebhookVerifier } from '@tributary/webhooks';

export interface ServedProvider {
  readonly definition: WebhookDefinition;
  readonly verifier: WebhookVerifier;
}

/**
 * The providers this instance serves: every definition it knows (coded in @tributary/webhooks or declared
 * in WEBHOOK_SOURCES, `IngestionConfig.webhookDefinitions`) that has secrets configured.
 * A known provider without secrets is refused like an unknown one (fail closed), never served unverified.
 */
export class WebhookProviders {
  private readonly served = new Map<string, ServedProvider>();

  constructor(
    secrets: Readonly<Record<string, readonly string[]>>,
    private readonly definitions: Readonly<Record<string, WebhookDefinition>>,
  ) {
    for (const definition of Object.values(definitions)) {
      const active = secrets[definition.provider] ?? [];
      if (active.length > 0) {
        this.served.set(definition.provider, {
          definition,
          verifier: createVerifier(definition.scheme, active),
        });
      }
    }
  }

  /** The provider, or WEBHOOK_PROVIDER_UNKNOWN / WEBHOOK_PROVIDER_NOT_CONFIGURED. */
  get(provider: string): ServedProvider {
    const served = this.served.get(provider);
    if (served) return served;
    if (Object.hasOwn(this.definitions, provider)) {
      throw new WebhookError(
        WebhookErrorCode.providerNotConfigured,
        `webhooks from ${provider} are not configured here`,
      );
    }
    throw new WebhookError(WebhookErrorCode.providerUnknown, 'no such webhook provider');
  }

  /** Known provider names: the only values the `provider` metric label takes. */
  isKnown(provider: string): boolean {
    return Object.hasOwn(this.definitions, provider);
  }

  configured(): string[] {
    return [...this.served.keys()].sort();
  }

  unconfigured(): string[] {
    return Object.keys(this.definitions)
      .filter((provider) => !this.served.has(provider))
      .sort();
  }
}
