import { createServer } from 'node:net';
import { pickFreePorts } from './ports.js';

describe('pickFreePorts', () => {
  it('returns distinct ports that can be bound right away', async () => {
    const ports = await pickFreePorts(4);
    expect(new Set(ports).size).toBe(4);
    for (const port of ports) {
      expect(port).toBeGreaterThan(0);
      const server = createServer();
      await new Promise<void>((resolve, reject) =>
        server.once('error', reject).listen(port, '127.0.0.1', resolve),
      );
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
