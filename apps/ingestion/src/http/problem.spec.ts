import { KafkaErrorCodes } from '@tributary/kafka';
import { WebhookErrorCode } from '@tributary/webhooks';
import { ProblemCode, problemStatus } from './problem.js';
import { describe as describeError } from './problem-details.filter.js';
import { HttpException } from '@nestjs/common';

describe('problem codes', () => {
  it("use the encoder's and the webhook package's codes verbatim", () => {
    expect(ProblemCode.schemaValidationFailed).toBe(KafkaErrorCodes.SCHEMA_VALIDATION_FAILED);
    expect(ProblemCode.unknownEventType).toBe(KafkaErrorCodes.UNKNOWN_EVENT_TYPE);
    for (const code of Object.values(WebhookErrorCode)) {
      if (code !== WebhookErrorCode.secretInvalid) expect(problemStatus[code as ProblemCode]).toBeDefined();
    }
  });

  it('answer 401 for every signature failure and 404 for providers that are unknown or not configured', () => {
    expect(problemStatus.WEBHOOK_SIGNATURE_MISSING).toBe(401);
    expect(problemStatus.WEBHOOK_SIGNATURE_STALE).toBe(401);
    expect(problemStatus.WEBHOOK_PROVIDER_NOT_CONFIGURED).toBe(404);
  });

  it('turn Fastify refusals into coded problems and hide unexpected errors', () => {
    expect(describeError(new HttpException('Request body is too large', 413))).toMatchObject({
      status: 413,
      code: 'REQUEST_BODY_TOO_LARGE',
    });
    expect(describeError(new Error('password=hunter2'))).toEqual({
      status: 500,
      code: 'INTERNAL',
      detail: 'The request failed; the error is logged.',
      headers: {},
    });
  });
});
