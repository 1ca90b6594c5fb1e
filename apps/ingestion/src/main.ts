import { bootstrapService } from '@tributary/service-kit/nest';
import { AppModule } from './app.module.js';
import { loadIngestionConfig } from './ingestion.config.js';

const config = loadIngestionConfig();
// Raw bodies: webhook signatures are computed over the exact bytes received.
await bootstrapService(AppModule.forRoot(config), config, { rawBody: true });
