import { DemoDrift } from './dev-drift.js';

describe('demo drift', () => {
  const calls: Array<{ url: string; body: unknown }> = [];
  const lines: string[] = [];
  let contactStatus = 200;
  const fakeFetch = (async (url: string, init?: RequestInit) => {
    calls.push({ url, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    if (url.endsWith('/v1/orders')) return new Response('{}', { status: 202 });
    if (url.includes('/crm/v3/objects/contacts/'))
      return new Response('{"id":"501"}', { status: contactStatus });
    return new Response('{}', { status: 200 });
  }) as typeof fetch;
  let ids = 0;
  const drift = () =>
    new DemoDrift({
      simulatorUrl: 'http://sim',
      exampleServiceUrl: 'http://shop',
      log: (line) => lines.push(line),
      repairWithinS: 40,
      fetch: fakeFetch,
      newId: () => `customer-${(ids += 1)}`,
    });

  beforeEach(() => {
    calls.length = 0;
    lines.length = 0;
    contactStatus = 200;
    ids = 0;
  });

  it("places a one-time customer's order, and at the next drift edits that contact in HubSpot without a webhook", async () => {
    const demo = drift();
    await demo.tick();
    expect(calls.map((c) => c.url)).toEqual(['http://shop/v1/orders']);
    expect(calls[0]!.body).toMatchObject({ customerId: 'customer-1' });
    expect(lines).toEqual([]);

    await demo.tick();
    expect(calls.map((c) => c.url)).toEqual([
      'http://shop/v1/orders',
      'http://sim/crm/v3/objects/contacts/customer-1?idProperty=tributary_contact_id',
      'http://sim/__admin/drift',
      'http://shop/v1/orders',
    ]);
    expect(calls[2]!.body).toEqual({
      provider: 'hubspot',
      kind: 'edit',
      id: '501',
      properties: { firstname: 'Ada', lastname: 'Lovelace' },
      webhook: false,
    });
    expect(lines).toEqual([
      'drift  HubSpot contact 501 (customer customer-1) renamed to "Ada Lovelace" in HubSpot\'s UI, no webhook sent: ' +
        'reconciliation should find it and repair it within ~40 s ' +
        '(crm.contact.upserted subject=customer-1 from /tributary/reconciliation)',
    ]);
    expect(calls[3]!.body).toMatchObject({ customerId: 'customer-2' });
  });

  it('next moves a customer back to the "lead" stage, which the platform has written back', async () => {
    const demo = drift();
    for (let tick = 0; tick < 3; tick += 1) await demo.tick();
    const edits = calls.filter((c) => c.url.endsWith('/__admin/drift'));
    expect(edits.map((c) => (c.body as { properties: unknown }).properties)).toEqual([
      { firstname: 'Ada', lastname: 'Lovelace' },
      { lifecyclestage: 'lead' },
    ]);
    expect(lines[1]).toBe(
      'drift  HubSpot contact 501 (customer customer-2) moved back to the "lead" stage in HubSpot\'s UI, no webhook sent: ' +
        'reconciliation should find it and repair it within ~40 s ' +
        '(crm.contact.write_back_requested subject=customer-2 from /tributary/reconciliation)',
    );
  });

  it('says so and edits nothing while HubSpot holds no contact for the customer', async () => {
    const demo = drift();
    await demo.tick();
    contactStatus = 404;
    await demo.tick();
    expect(calls.some((c) => c.url.endsWith('/__admin/drift'))).toBe(false);
    expect(lines).toEqual(['drift  skipped: HubSpot holds no contact for customer customer-1 yet (404)']);
  });
});
