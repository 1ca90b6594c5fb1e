import 'reflect-metadata';
import { bootstrapApp } from '@tributary/service-kit/nest';
import { AppModule } from './app.module.js';
import { loadConfig } from './dlq-handler.config.js';
import { ProblemDetailsFilter } from './http/problem-details.filter.js';

const config = loadConfig();
await bootstrapApp(AppModule.forRoot(config), {
  service: 'dlq-handler',
  port: config.port,
  logLevel: config.logLevel,
  configure: (app) => {
    app.useGlobalFilters(new ProblemDetailsFilter());
  },
});
