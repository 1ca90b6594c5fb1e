import { randomUUID } from 'node:crypto';
import type { Answer } from '../core/http.js';

export function hubspotError(status: number, category: string, message: string, extra: object = {}): Answer {
  return { status, body: { status: 'error', category, message, correlationId: randomUUID(), ...extra } };
}
