import { bootstrapService } from '@tributary/service-kit/nest';
import { AppModule } from './app.module.js';
import { loadLagExporterConfig } from './lag-exporter.config.js';

const config = loadLagExporterConfig();
await bootstrapService(AppModule.forRoot(config), config);
