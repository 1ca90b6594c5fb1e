import { HttpException } from '@nestjs/common';
import { describeProblem } from '@tributary/service-kit/nest';
import { WebhookErrorCode } from '@tributary/webhooks';
import { ingestionProblems } from './problem.js';

describe('problem codes', () => {
  it('hold every code of the webhook package that can reach a caller, verbatim', () => {
    for (const code of Object.values(WebhookErrorCode)) {
      if (code !== WebhookErrorCode.secretInvalid) expect(ingestionProblems).toHaveProperty(code);
    }
  });

  it('answer 401 for every signature failure and 404 for providers that are unknown or not configured', () => {
    expect(ingestionProblems.WEBHOOK_SIGNATURE_MISSING.status).toBe(401);
    expect(ingestionProblems.WEBHOOK_SIGNATURE_STALE.status).toBe(401);
    expect(ingestionProblems.WEBHOOK_PROVIDER_NOT_CONFIGURED.status).toBe(404);
  });

  it('turn Fastify refusals into coded problems and hide unexpected errors', () => {
    expect(
      describeProblem(new HttpException('Request body is too large', 413), ingestionProblems),
    ).toMatchObject({ status: 413, code: 'REQUEST_BODY_TOO_LARGE' });
    expect(describeProblem(new Error('password=hunter2'), ingestionProblems)).toMatchObject({
      status: 500,
      code: 'INTERNAL',
      detail: 'The request failed; the error is logged.',
    });
  });
});
