import { Inject, Injectable, Module } from '@nestjs/common';
import type { DynamicModule, OnApplicationBootstrap, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import {
  AvroEventDecoder,
  AvroEventEncoder,
  KafkaEventProducer,
  SchemaRegistryClient,
} from '@tributary/kafka';
import { createLogger } from '@tributary/observability';
import { ObservabilityModule, ReadinessRegistry } from '@tributary/observability/nest';
import { AuditLog, Outbox } from '@tributary/persistence';
import type { DataSource } from 'typeorm';
import { ApiKeyAuthenticator } from '../api-keys/api-key-authenticator.js';
import { ApiKeyStore } from '../api-keys/api-key-store.js';
import { apiKeyMigrations } from '../api-keys/api-keys.migration.js';
import { createBackbone } from '../backbone/backbone.js';
import type { Backbone } from '../backbone/backbone.js';
import { deprecationProblems } from '../http/deprecation.js';
import { renderDocsPage } from '../http/docs-page.js';
import { renderOpenApi } from '../http/openapi-document.js';
import { KeyedRateLimiter } from '../rate-limit/keyed-rate-limiter.js';
import { API_KEY_RATE_LIMITER, ApiKeyGuard } from './api-keys/api-key.guard.js';
import { DOCS_PAGE_HTML, DocsController, DocsPageController, OPENAPI_TEXT } from './http/docs.controller.js';
import { ResponseCheckInterceptor } from './http/response-check.interceptor.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { ShutdownService } from './lifecycle/shutdown.service.js';
import { ProblemDetailsFilter } from './problems/problem-details.filter.js';
import type { ServiceModuleOptions } from './service-module-options.js';
import {
  BACKBONE,
  DATA_SOURCE,
  EVENT_DEFINITIONS,
  KAFKA,
  KAFKA_ADMIN,
  LOGGER,
  PROBLEM_CATALOGUE,
  SERVICE_CONFIG,
  SERVICE_OPTIONS,
} from './tokens.js';

/** Starts the backbone once every module is built, and hands its checks and drain steps to the app. */
@Injectable()
class BackboneLifecycle implements OnApplicationBootstrap {
  private registered = false;

  constructor(
    @Inject(BACKBONE) private readonly backbone: Backbone,
    private readonly readiness: ReadinessRegistry,
    private readonly shutdown: ShutdownService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A hybrid app (HTTP + a Kafka transport) runs bootstrap hooks once per part.
    if (this.registered) return;
    this.registered = true;
    for (const check of this.backbone.readiness) this.readiness.add(check);
    for (const step of this.backbone.shutdownSteps()) this.shutdown.register(step.phase, step.name, step.run);
    await this.backbone.start();
  }
}

/**
 * What every Nest service mounts once, in its root module, beside its feature modules:
 *
 * ```ts
 * imports: [ServiceModule.forRoot({ config, migrations, problems, apiKeys, openApi }), OrdersModule]
 * ```
 *
 * It brings `/metrics` and `/health/*`, the backbone (Postgres, Kafka, the registry, the outbox and relay)
 * with its readiness checks and ordered shutdown, the service config under SERVICE_CONFIG, RFC 9457
 * problem documents from the service's catalogue, API keys with scopes and per-key rate limits, contract
 * routes whose answers are checked, and `/docs/openapi.json`. Global, so feature modules inject any of it
 * without importing this module.
 */
@Module({})
export class ServiceModule {
  static forRoot(options: ServiceModuleOptions): DynamicModule {
    const { config } = options;
    const stored = options.apiKeys !== undefined && options.apiKeys.stored !== false;
    const fromBackbone = <T>(provide: unknown, pick: (backbone: Backbone) => T): Provider => ({
      provide: provide as string,
      inject: [BACKBONE],
      useFactory: pick,
    });
    return {
      module: ServiceModule,
      global: true,
      imports: [ObservabilityModule.forRoot({ service: config.service }), LifecycleModule.forRoot()],
      controllers: options.openApi ? [DocsController, ...(options.docsPage ? [DocsPageController] : [])] : [],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: SERVICE_OPTIONS, useValue: options },
        // ROUTE_SUNSET is known to every app, so a route past its sunset answers 410 wherever it is declared.
        { provide: PROBLEM_CATALOGUE, useValue: { ...deprecationProblems, ...options.problems } },
        { provide: LOGGER, useValue: createLogger({ service: config.service, level: config.logLevel }) },
        {
          provide: BACKBONE,
          inject: [LOGGER],
          useFactory: (logger: Backbone['logger']) =>
            createBackbone({
              service: config.service,
              config,
              logger,
              migrations: [...(options.migrations ?? []), ...(stored ? apiKeyMigrations : [])],
              ...(options.publishes === undefined ? {} : { publishes: options.publishes }),
            }),
        },
        fromBackbone(DATA_SOURCE, (b) => b.dataSource),
        fromBackbone(KAFKA, (b) => b.kafka),
        fromBackbone(KAFKA_ADMIN, (b) => b.admin),
        fromBackbone(EVENT_DEFINITIONS, (b) => b.definitions),
        fromBackbone(SchemaRegistryClient, (b) => b.registry),
        fromBackbone(AvroEventEncoder, (b) => b.encoder),
        fromBackbone(AvroEventDecoder, (b) => b.decoder),
        fromBackbone(Outbox, (b) => b.outbox),
        fromBackbone(KafkaEventProducer, (b) => b.producer),
        fromBackbone(AuditLog, (b) => b.audit),
        BackboneLifecycle,
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_INTERCEPTOR, useClass: ResponseCheckInterceptor },
        ...(options.openApi
          ? [
              { provide: OPENAPI_TEXT, useFactory: () => renderOpenApi(options.openApi!()) },
              { provide: DOCS_PAGE_HTML, useFactory: () => renderDocsPage(options.openApi!()) },
            ]
          : []),
        ...(options.apiKeys ? apiKeyProviders(options.apiKeys, stored) : []),
      ],
      exports: [
        SERVICE_CONFIG,
        SERVICE_OPTIONS,
        LOGGER,
        BACKBONE,
        DATA_SOURCE,
        KAFKA,
        KAFKA_ADMIN,
        EVENT_DEFINITIONS,
        SchemaRegistryClient,
        AvroEventEncoder,
        AvroEventDecoder,
        Outbox,
        KafkaEventProducer,
        AuditLog,
        ...(options.apiKeys ? [ApiKeyAuthenticator, ...(stored ? [ApiKeyStore] : [])] : []),
      ],
    };
  }
}

function apiKeyProviders(apiKeys: NonNullable<ServiceModuleOptions['apiKeys']>, stored: boolean): Provider[] {
  return [
    ...(stored
      ? [
          {
            provide: ApiKeyStore,
            inject: [DATA_SOURCE],
            useFactory: (dataSource: DataSource) => new ApiKeyStore(dataSource, { scopes: apiKeys.scopes }),
          },
        ]
      : []),
    {
      provide: ApiKeyAuthenticator,
      inject: stored ? [ApiKeyStore] : [],
      useFactory: (store?: ApiKeyStore) =>
        new ApiKeyAuthenticator({
          scopes: apiKeys.scopes,
          configured: apiKeys.configured ?? [],
          cacheTtlMs: apiKeys.cacheTtlMs,
          ...(store ? { find: (keyId: string) => store.find(keyId) } : {}),
        }),
    },
    { provide: API_KEY_RATE_LIMITER, useValue: new KeyedRateLimiter('api-key', apiKeys.rateLimit) },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ];
}
