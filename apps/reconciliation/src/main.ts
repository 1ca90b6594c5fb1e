import { bootstrapService } from '@tributary/service-kit/nest';
import { AppModule } from './app.module.js';
import { loadReconciliationConfig } from './reconciliation.config.js';

const config = loadReconciliationConfig();
await bootstrapService(AppModule.forRoot(config), config);
