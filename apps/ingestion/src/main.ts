import 'reflect-metadata';
import { bootstrapApp } from '@tributary/service-kit/nest';
import { AppModule } from './app.module.js';
import { configureHttp } from './http/http.setup.js';
import { loadConfig } from './ingestion.config.js';

const config = loadConfig();
await bootstrapApp(AppModule.forRoot(config), {
  service: 'ingestion',
  port: config.port,
  logLevel: config.logLevel,
  bodyLimit: config.bodyLimitBytes,
  shutdownTimeoutMs: config.shutdownTimeoutMs,
  configure: (app) => configureHttp(app, config.bodyLimitBytes),
});
