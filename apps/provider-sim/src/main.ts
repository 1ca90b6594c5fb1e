import { loadConfig } from './provider-sim.config.js';
import { startProviderSim } from './server.js';

const config = loadConfig();
const sim = await startProviderSim(config);
// Tests and scripts read this line to find the port when PORT=0.
process.stdout.write(`${JSON.stringify({ msg: 'provider-sim listening', url: sim.url })}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
