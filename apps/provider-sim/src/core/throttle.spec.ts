import { Throttle } from './throttle.js';

describe('throttle', () => {
  it('admits N requests per second plus the burst, whatever the offered load', () => {
    let now = 0;
    const throttle = new Throttle(() => now);
    throttle.set({ requestsPerSecond: 50, burst: 5 });
    let admitted = 0;
    // 1,000 requests per second offered for 10 s.
    for (let i = 0; i < 10_000; i++) {
      now = i;
      if (throttle.admit('POST /x').ok) admitted += 1;
    }
    expect(admitted).toBeGreaterThanOrEqual(5 + 50 * 10 - 1);
    expect(admitted).toBeLessThanOrEqual(5 + 50 * 10);
  });

  it('says when to come back, in whole seconds rounded up', () => {
    const throttle = new Throttle(() => 0);
    throttle.set({ requestsPerSecond: 0.5, burst: 1 });
    expect(throttle.admit('POST /x')).toEqual({ ok: true });
    expect(throttle.admit('POST /x')).toEqual({ ok: false, retryAfterSeconds: 2 });
  });

  it('gives each route its own bucket; a route rule wins over the rule for all', () => {
    const now = 0;
    const throttle = new Throttle(() => now);
    throttle.set({ requestsPerSecond: 1, burst: 1 });
    throttle.set({ route: 'POST /b', requestsPerSecond: 1, burst: 2 });
    expect([throttle.admit('POST /a').ok, throttle.admit('POST /a').ok]).toEqual([true, false]);
    expect([
      throttle.admit('POST /b').ok,
      throttle.admit('POST /b').ok,
      throttle.admit('POST /b').ok,
    ]).toEqual([true, true, false]);
    throttle.clear();
    expect(throttle.admit('POST /a').ok).toBe(true);
  });
});
