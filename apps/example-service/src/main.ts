import { bootstrapService } from '@tributary/service-kit/nest';
import { AppModule } from './app.module.js';
import { loadExampleServiceConfig } from './example-service.config.js';

const config = loadExampleServiceConfig();
await bootstrapService(AppModule.forRoot(config), config);
