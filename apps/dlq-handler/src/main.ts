import { bootstrapService } from '@tributary/service-kit/nest';
import { AppModule } from './app.module.js';
import { loadConfig } from './dlq-handler.config.js';

const config = loadConfig();
await bootstrapService(AppModule.forRoot(config), config);
