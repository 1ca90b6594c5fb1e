import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPLAY_TOPIC_HEADER, RetryHeaders } from '@tributary/kafka';
import { createTopics, stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import type { Producer } from 'kafkajs';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { v7 as uuidv7 } from 'uuid';
import type { DlqHandlerFixture, Summary } from './support.js';
import { dlqHandler, listAll, tokens } from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// Short, so that a replay nobody answers shows as stalled within the test.
const STALL_AFTER_MS = 5_000;
// A header value that would become an element if the page ever used innerHTML with data.
const HOSTILE = '<img src=x id=injected onerror="document.title=\'pwned\'">';

async function waitForText(page: Page, selector: string, text: string): Promise<string> {
  await page.locator(selector, { hasText: text }).first().waitFor({ timeout: 20_000 });
  return (await page.locator(selector).first().textContent()) ?? '';
}

describe('SRE console in headless Chromium', () => {
  let handler: DlqHandlerFixture;
  let producer: Producer;
  let context: BrowserContext;
  let userDataDir: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // No skipping: a machine without the browser must say how to get it.
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (Debian).`);
    }
    handler = await dlqHandler({ env: { REPLAY_STALL_AFTER_MS: String(STALL_AFTER_MS) } });
    await handler.start();
    producer = handler.kafka.producer();
    await producer.connect();
    userDataDir = await mkdtemp(join(tmpdir(), 'dlq-console-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    await producer?.disconnect();
    await handler?.close();
  });

  it('lists, inspects and replays a dead letter; an under-scoped key sees the 403', async () => {
    const group = uniqueName('console');
    await createTopics(stackFromEnv().kafka.brokers, [
      { topic: `${group}.dlq`, partitions: 1 },
      // The replay target: the group's first retry tier.
      { topic: `${group}.retry.1s`, partitions: 1 },
    ]);
    const eventId = uuidv7();
    await producer.send({
      topic: `${group}.dlq`,
      messages: [
        {
          key: 'order-1',
          value: JSON.stringify({ orderId: 'o-1', amountMinor: -100 }),
          headers: {
            ce_id: eventId,
            ce_type: 'commerce.order.placed',
            [RetryHeaders.originalConsumerGroup]: group,
            [RetryHeaders.errorCode]: 'LEDGER_MAPPING_BUG',
            [RetryHeaders.exceptionMessage]: 'ledger mapping bug: amount sign flipped',
            [RetryHeaders.exceptionStacktrace]:
              'Error: ledger mapping bug\n    at mapLedger (ledger.ts:42:7)',
            'x-trace': HOSTILE,
          },
        },
      ],
    });
    const [stored] = await waitFor(
      async () => {
        const items = await listAll(handler, `group=${group}`);
        return items.length === 1 ? items : undefined;
      },
      { timeoutMs: 60_000, message: 'the dead letter through the API' },
    );
    const id = stored!.id;

    const page = await context.newPage();
    page.on('response', (r) => {
      if (r.status() >= 400 && r.status() !== 403) pageErrors.push(`${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of (403|404)/.test(message.text()))
        pageErrors.push(message.text());
    });
    const response = await page.goto(`${handler.url}/console`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toMatch(/default-src 'self'/);

    // The viewer key can read but not replay.
    await page.fill('#api-key', tokens.viewer);
    await page.click('#key-form button[type=submit]');
    await page.fill('#filters input[name=group]', group);
    await page.click('#filters button[type=submit]');
    const row = page.locator(`#list tbody tr[data-id="${id}"]`);
    await row.waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain('LEDGER_MAPPING_BUG');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(1);

    await row.click();
    const fields = await waitForText(page, '#detail-fields', 'LEDGER_MAPPING_BUG');
    expect(fields).toContain('ledger mapping bug: amount sign flipped');
    const traceRow = page.locator('#detail-headers tbody tr', { hasText: 'x-trace' });
    expect(await traceRow.locator('td').nth(1).textContent()).toBe(HOSTILE);
    expect(await page.locator('#detail-headers tbody tr', { hasText: RetryHeaders.errorCode }).count()).toBe(
      1,
    );
    expect(await page.locator('#payload').textContent()).toContain('"amountMinor": -100');
    expect(await page.locator('#stack').textContent()).toContain('at mapLedger (ledger.ts:42:7)');
    // Rendered as text, never as markup.
    expect(await page.locator('#injected').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');

    const forbidden = (await (
      await handler.api(`/v1/dead-letters/${id}/replay`, { body: { reason: 'probe' }, token: tokens.viewer })
    ).json()) as { code: string; detail: string };
    expect(forbidden.code).toBe('API_KEY_SCOPE_MISSING');
    await page.click('#replay');
    await page.fill('#confirm-reason', 'viewer tries anyway');
    await page.click('#confirm-ok');
    const refused = await waitForText(page, '#result', forbidden.code);
    expect(refused).toContain('403');
    expect(refused).toContain(forbidden.detail);

    // A cancelled confirmation changes nothing.
    await page.fill('#api-key', tokens.ops);
    await page.click('#key-form button[type=submit]');
    // The new key reloads the list; wait for it so its announcement cannot overwrite what follows.
    await waitForText(page, '#result', 'on page 1');
    await page.click('#replay');
    await page.click('#confirm button[value=cancel]');
    await waitForText(page, '#result', 'Replay cancelled');
    expect(((await (await handler.api(`/v1/dead-letters/${id}`)).json()) as Summary).status).toBe('pending');

    const reason = 'console e2e: ledger mapping fixed';
    await page.click('#replay');
    await page.fill('#confirm-reason', reason);
    await page.click('#confirm-ok');
    const done = await waitForText(page, '#result', 'Replay done: 1');
    const shownAuditId = /audit entry (\S+)\.$/.exec(done)?.[1];
    await waitForText(page, '#detail-fields', 'replaying');

    const detail = await waitFor(
      async () => {
        const current = (await (await handler.api(`/v1/dead-letters/${id}`)).json()) as Summary & {
          replayCount: number;
        };
        return ['replaying', 'replay_stalled', 'resolved'].includes(current.status) &&
          current.replayCount >= 1
          ? current
          : undefined;
      },
      { timeoutMs: 30_000, message: 'the dead letter replayed' },
    );
    expect(detail.replayCount).toBe(1);
    const audit = await handler.pool.query<{
      id: string;
      actor: string;
      action: string;
      reason: string;
      target: string;
    }>(`SELECT id::text AS id, actor, action, reason, target FROM audit_log WHERE action = 'dlq.replay'`);
    // One entry, the one the page showed: the refused and the cancelled attempts left no trace.
    expect(audit.rows).toEqual([
      { id: shownAuditId, actor: 'api-key:ops', action: 'dlq.replay', reason, target: `dead-letter:${id}` },
    ]);
    expect(pageErrors).toEqual([]);
  }, 180_000);
  it('filters by error code and status, and discards with a reason', async () => {
    const group = uniqueName('console-discard');
    await createTopics(stackFromEnv().kafka.brokers, [{ topic: `${group}.dlq`, partitions: 1 }]);
    const codes = ['UNKNOWN_EVENT_TYPE', 'DECODE_BAD_MAGIC_BYTE'];
    await producer.send({
      topic: `${group}.dlq`,
      messages: codes.map((code, i) => ({
        key: `k-${i}`,
        value: Buffer.from([0xff, i]),
        headers: { [RetryHeaders.originalConsumerGroup]: group, [RetryHeaders.errorCode]: code },
      })),
    });
    const stored = await waitFor(
      async () => {
        const items = await listAll(handler, `group=${group}`);
        return items.length === codes.length ? items : undefined;
      },
      { timeoutMs: 60_000, message: 'two dead letters through the API' },
    );
    const target = stored.find((s) => s.errorCode === 'UNKNOWN_EVENT_TYPE')!;
    const other = stored.find((s) => s.errorCode !== 'UNKNOWN_EVENT_TYPE')!;

    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${handler.url}/console`);
    await page.fill('#api-key', tokens.ops);
    await page.click('#key-form button[type=submit]');
    await page.fill('#filters input[name=group]', group);
    await page.fill('#filters input[name=errorCode]', 'UNKNOWN_EVENT_TYPE');
    await page.selectOption('#filters select[name=status]', 'pending');
    await page.click('#filters button[type=submit]');
    await waitForText(page, '#result', '1 dead letter(s) on page 1');
    const rows = page.locator('#list tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')))).toEqual([target.id]);

    await rows.first().click();
    await waitForText(page, '#detail-fields', 'UNKNOWN_EVENT_TYPE');
    expect(await page.locator('#payload-note').textContent()).toMatch(/Not decodable/);
    expect(await page.locator('#payload').textContent()).toBe(Buffer.from([0xff, 0]).toString('base64'));
    const reason = 'console e2e: event type retired';
    await page.click('#discard');
    await page.fill('#confirm-reason', reason);
    await page.click('#confirm-ok');
    await waitForText(page, '#result', 'Discard done: 1');
    // The list refreshed under the pending filter: the discarded row left it.
    await page
      .locator(`#list tbody tr[data-id="${target.id}"]`)
      .waitFor({ state: 'detached', timeout: 20_000 });

    const after = (await (await handler.api(`/v1/dead-letters/${target.id}`)).json()) as Summary;
    expect(after.status).toBe('discarded');
    expect(((await (await handler.api(`/v1/dead-letters/${other.id}`)).json()) as Summary).status).toBe(
      'pending',
    );
    const audit = await handler.pool.query<{ actor: string; reason: string; target: string }>(
      `SELECT actor, reason, target FROM audit_log WHERE action = 'dlq.discard'`,
    );
    expect(audit.rows).toEqual([{ actor: 'api-key:ops', reason, target: `dead-letter:${target.id}` }]);
    expect(pageErrors).toEqual([]);
  }, 120_000);
  it('shows a replay that never came back as stalled, and replays it again', async () => {
    const group = uniqueName('console-stalled');
    const tier = `${group}.retry.1s`;
    await createTopics(stackFromEnv().kafka.brokers, [
      { topic: `${group}.dlq`, partitions: 1 },
      { topic: tier, partitions: 1 },
    ]);
    await producer.send({
      topic: `${group}.dlq`,
      messages: [
        {
          key: 'order-9',
          value: JSON.stringify({ orderId: 'o-9' }),
          headers: {
            [RetryHeaders.originalConsumerGroup]: group,
            [RetryHeaders.errorCode]: 'PROVIDER_REJECTED',
            [REPLAY_TOPIC_HEADER]: tier,
          },
        },
      ],
    });
    const [stored] = await waitFor(
      async () => {
        const items = await listAll(handler, `group=${group}`);
        return items.length === 1 ? items : undefined;
      },
      { timeoutMs: 60_000, message: 'the dead letter through the API' },
    );
    const id = stored!.id;
    // Replayed into a tier no consumer reads: nothing ever comes back.
    const replayed = await handler.api(`/v1/dead-letters/${id}/replay`, { body: { reason: 'first try' } });
    expect(replayed.status).toBe(202);
    await waitFor(
      async () =>
        ((await (await handler.api(`/v1/dead-letters/${id}`)).json()) as Summary).status === 'replay_stalled',
      { timeoutMs: STALL_AFTER_MS + 20_000, message: 'the replay flagged stalled' },
    );

    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${handler.url}/console`);
    await page.fill('#api-key', tokens.ops);
    await page.click('#key-form button[type=submit]');
    await page.fill('#filters input[name=group]', group);
    await page.selectOption('#filters select[name=status]', 'replay_stalled');
    await page.click('#filters button[type=submit]');
    await waitForText(page, '#result', '1 dead letter(s) on page 1');
    const row = page.locator(`#list tbody tr[data-id="${id}"]`);
    expect(await row.getAttribute('class')).toContain('stalled');
    expect(await row.textContent()).toContain('replay_stalled');

    await row.click();
    const fields = await waitForText(page, '#detail-fields', 'Replay stalled since');
    expect(fields).toContain(tier);
    expect(fields).toContain('no outcome came back');
    await page.click('#replay');
    await page.fill('#confirm-reason', 'console e2e: consumer is back');
    await page.click('#confirm-ok');
    await waitForText(page, '#result', 'Replay done: 1');

    const admin = handler.kafka.admin();
    await admin.connect();
    try {
      // Sent a second time, to the same tier.
      await waitFor(
        async () => (await admin.fetchTopicOffsets(tier)).reduce((sum, p) => sum + Number(p.high), 0) === 2,
        { timeoutMs: 30_000, message: 'the second replay in the tier' },
      );
    } finally {
      await admin.disconnect();
    }
    const after = (await (await handler.api(`/v1/dead-letters/${id}`)).json()) as Summary;
    expect(after.replayCount).toBe(2);
    expect(['replaying', 'replay_stalled']).toContain(after.status);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('pages through the API cursors', async () => {
    const group = uniqueName('console-paging');
    const total = 27; // the console shows 25 a page
    await createTopics(stackFromEnv().kafka.brokers, [{ topic: `${group}.dlq`, partitions: 1 }]);
    await producer.send({
      topic: `${group}.dlq`,
      messages: Array.from({ length: total }, (_, i) => ({
        key: `k-${i}`,
        value: `v-${i}`,
        headers: { [RetryHeaders.originalConsumerGroup]: group, [RetryHeaders.errorCode]: 'PAGING_TEST' },
      })),
    });
    const stored = await waitFor(
      async () => {
        const items = await listAll(handler, `group=${group}`);
        return items.length === total ? items : undefined;
      },
      { timeoutMs: 60_000, message: `${total} dead letters through the API` },
    );

    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${handler.url}/console`);
    await page.fill('#api-key', tokens.viewer);
    await page.click('#key-form button[type=submit]');
    await page.fill('#filters input[name=group]', group);
    await page.click('#filters button[type=submit]');
    const shownIds = () =>
      page.locator('#list tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));

    await waitForText(page, '#result', '25 dead letter(s) on page 1');
    const first = await shownIds();
    expect(await page.locator('#previous-page').isDisabled()).toBe(true);
    await page.click('#next-page');
    await waitForText(page, '#result', '2 dead letter(s) on page 2');
    const second = await shownIds();
    expect(await page.locator('#next-page').isDisabled()).toBe(true);
    // Same order as the API, nothing repeated, nothing missing.
    expect([...first, ...second]).toEqual(stored.map((s) => s.id));
    await page.click('#previous-page');
    await waitForText(page, '#result', '25 dead letter(s) on page 1');
    expect(await shownIds()).toEqual(first);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
