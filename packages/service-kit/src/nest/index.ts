// The Nest side of the service kit: ServiceModule (backbone, problems, API keys, docs), contract routes, the
// ordered shutdown and the bootstrap every `main.ts` calls.
export { ServiceModule } from './service.module.js';
export type { ApiKeysOptions, ConsumerOptions, ServiceModuleOptions } from './service-module-options.js';
export {
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
export { ProblemDetailsFilter, describeProblem } from './problems/problem-details.filter.js';
export type { DescribedProblem } from './problems/problem-details.filter.js';
export { ApiKeyGuard, RequireScope, principalOf } from './api-keys/api-key.guard.js';
export { Input, Route, contractOf } from './http/route.decorator.js';
export { ResponseCheckInterceptor } from './http/response-check.interceptor.js';
export { DeprecationInterceptor } from './http/deprecation.interceptor.js';
export { recordServedRoutes, servedRoutes } from './http/served-routes.js';
export { LifecycleModule } from './lifecycle/lifecycle.module.js';
export type { LifecycleModuleOptions } from './lifecycle/lifecycle.module.js';
export { ShutdownService } from './lifecycle/shutdown.service.js';
export { bootstrapApp, bootstrapService, createServiceApp, rawBodyOf } from './lifecycle/bootstrap.js';
export type { BootstrapOptions, ServiceAppOptions } from './lifecycle/bootstrap.js';
export { instrumentHttp } from './lifecycle/http-instrumentation.js';
export { SHUTDOWN_SIGNALS } from './lifecycle/signals.js';
