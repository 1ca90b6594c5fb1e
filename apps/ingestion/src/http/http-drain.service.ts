import { Injectable } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';

/**
 * Lets keep-alive clients go when the app shuts down. Nest answers new requests with 503 once shutdown
 * starts and Fastify closes connections that are idle when the server closes, but a connection that was
 * busy then stays open after its response until the keep-alive timeout (72 s in Fastify) — longer than the
 * shutdown deadline, so the process would never drain. From the first shutdown hook on, every response
 * carries `Connection: close` (see configureHttp).
 */
@Injectable()
export class HttpDrainService implements OnModuleDestroy {
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  onModuleDestroy(): void {
    this.draining = true;
  }
}
