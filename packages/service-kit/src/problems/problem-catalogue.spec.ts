import { defineProblems } from './problem-catalogue.js';
import { problemDocument, problemType } from './problem-document.js';

describe('problem catalogue', () => {
  const problems = defineProblems({ ORDER_NOT_FOUND: { status: 404, title: 'No such order' } });

  it("holds the common, the API-key and the app's own codes", () => {
    expect(problems.ORDER_NOT_FOUND.status).toBe(404);
    expect(problems.REQUEST_INVALID.status).toBe(422);
    expect(problems.API_KEY_SCOPE_MISSING.status).toBe(403);
  });

  it('refuses a code that changes the status of a shared one, and a code that is not UPPER_SNAKE', () => {
    expect(() => defineProblems({ NOT_FOUND: { status: 400, title: 'x' } })).toThrow(
      'problem NOT_FOUND is 404 everywhere',
    );
    expect(() => defineProblems({ 'not-a-code': { status: 400, title: 'x' } })).toThrow('UPPER_SNAKE');
  });

  it('renders an RFC 9457 document: type URN, title, status, detail, instance, code, extensions', () => {
    expect(
      problemDocument(problems, 'ORDER_NOT_FOUND', 'No order 42.', {
        instance: '/v1/orders/42',
        extensions: { orderId: '42' },
      }),
    ).toEqual({
      type: problemType('ORDER_NOT_FOUND'),
      title: 'No such order',
      status: 404,
      detail: 'No order 42.',
      instance: '/v1/orders/42',
      code: 'ORDER_NOT_FOUND',
      orderId: '42',
    });
  });
});
