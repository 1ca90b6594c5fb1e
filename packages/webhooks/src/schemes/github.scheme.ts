import { hmacScheme } from './hmac.scheme.js';
import type { SignatureScheme } from './scheme.js';

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`. GitHub signs no timestamp, so replays
 * are stopped by deduplicating on `X-GitHub-Delivery` instead.
 */
export function githubScheme(): SignatureScheme {
  return hmacScheme({
    name: 'github',
    signatureHeader: 'X-Hub-Signature-256',
    algorithm: 'sha256',
    encoding: 'hex',
    hexCase: 'lower',
    prefix: 'sha256=',
  });
}
