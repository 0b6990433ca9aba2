// The admin app's Cluster page: shown only in cluster mode; lists the nodes with their slots,
// and "Move to…" hands a slot to the other node (two demo nodes sharing one MariaDB database).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../archive/mysql-kit.js';
import { startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { CLUSTER_KEY, TEST_LEASES } from '../cluster/kit.js';
import { startUi, type UiKit } from './kit.js';

describe('Cluster page', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let kit: UiKit;
  let other: TestBridge;
  let plain: TestBridge;

  beforeAll(async () => {
    db = await createTestDatabase();
    const shared = { cluster: 'true', clusterKey: CLUSTER_KEY, dbUrl: db.url(), sessionKey: randomBytes(32).toString('base64'), slots: 2, snapshotFirstDelayMs: 100, ...TEST_LEASES } as const;
    kit = await startUi({ ...shared, nodeName: 'ui-a', preferredSlots: '1' });
    other = await startBridge({ ...shared, nodeName: 'ui-b' });
    plain = await startBridge({ slots: 1 });
  });
  afterAll(async () => {
    await kit?.close();
    await other?.stop();
    await plain?.stop();
    await db?.drop();
  });

  it('lists both nodes, the slot on its owner, and moves it with "Move to…"', async () => {
    await kit.connect(1);
    const otherId = (await other.http.get('/api/health').set('apikey', other.token)).body.node.id as string;
    const page = await kit.page();
    await page.goto(kit.bridge.url + '/');
    await page.click('[data-testid=nav-cluster]');
    await page.waitForSelector('[data-testid=cluster-slot-1]');
    expect(await page.locator('[data-testid=cluster-node]').count()).toBe(2);
    const owner = page.locator('[data-testid=cluster-node]', { has: page.locator('[data-testid=cluster-slot-1]') });
    expect(await owner.locator('h2').innerText()).toMatch(/^ui-a:[0-9a-f]{6}/);
    await page.selectOption('[data-testid=cluster-move-target-1]', otherId);
    await page.click('[data-testid=cluster-move-1]');
    await waitFor(async () => (await other.http.get('/api/slots').set('apikey', other.token)).body[0].ready, 20_000, 'slot 1 READY on ui-b');
    await waitFor(async () => (await owner.count()) === 1 && (await owner.locator('h2').innerText()).startsWith(otherId), 10_000, 'the page shows slot 1 on ui-b');
    await page.close();
  });

  it('"Drain" empties a node (its slot goes back to the other node) and shows it; "Undrain" returns it', async () => {
    const otherId = (await other.http.get('/api/health').set('apikey', other.token)).body.node.id as string;
    const page = await kit.page();
    await page.goto(kit.bridge.url + '/');
    await page.click('[data-testid=nav-cluster]');
    const card = page.locator('[data-testid=cluster-node]', { has: page.locator('h2', { hasText: otherId }) });
    await card.locator('[data-testid=cluster-drain]').click();
    await card.locator('[data-testid=cluster-draining]').waitFor();
    // Whatever ui-b ran comes back to ui-a; ui-b is offered as a move target no more.
    await waitFor(async () => (await kit.api<{ ready: boolean }[]>('GET', '/api/slots'))[0]?.ready, 20_000, 'slot 1 READY on ui-a');
    await page.waitForSelector('[data-testid=cluster-slot-1]');
    expect(await page.locator(`[data-testid=cluster-move-target-1] option[value="${otherId}"]`).count()).toBe(0);
    expect(await card.locator('[data-testid=cluster-drain]').innerText()).toBe('Undrain');
    await card.locator('[data-testid=cluster-drain]').click();
    await waitFor(async () => (await card.locator('[data-testid=cluster-draining]').count()) === 0, 10_000, 'the badge gone');
    await waitFor(async () => (await page.locator(`[data-testid=cluster-move-target-1] option[value="${otherId}"]`).count()) === 1, 10_000, 'ui-b a target again');
    await page.close();
  });

  it('a queued message whose send a dead node cut off shows "Not confirmed — check the chat" with Retry, and Retry sends it once', async () => {
    const OMAR = '962781523783@c.us';
    const readyOn = async (slot: number) =>
      (await kit.api<{ slot: number; ready: boolean }[]>('GET', '/api/slots')).find((s) => s.slot === slot)?.ready ||
      ((await other.http.get('/api/slots').set('apikey', other.token)).body as { slot: number; ready: boolean }[]).find((s) => s.slot === slot)?.ready;
    if (!(await readyOn(1))) await kit.api('POST', '/api/connect', { slot: 1 });
    await waitFor(() => readyOn(1), 30_000, 'slot 1 READY on a node');
    const page = await kit.page();
    await page.goto(`${kit.bridge.url}/#/chats?slot=1&chat=${encodeURIComponent(OMAR)}`);
    await page.locator(`[data-testid=thread][data-chat-id="${OMAR}"] [data-testid=message-list]`).waitFor();
    // The number drops as the user sends: the send fails; "Queue until connected" reaches the bridge
    // once the slot is stopped, so the bridge keeps it in its outbox.
    let sends = 0;
    await page.route('**/api/send', async (route) => {
      if (++sends === 1) return route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ success: false, error: { code: 'NOT_CONNECTED', message: 'slot 1 is not ready' } }) });
      if (sends === 2) {
        await kit.api('POST', '/api/disconnect', { slot: 1 });
        await waitFor(async () => !(await readyOn(1)), 20_000, 'slot 1 stopped');
      }
      return route.continue();
    });
    await page.fill('[data-testid=compose]', 'cut off mid-send');
    await page.press('[data-testid=compose]', 'Enter');
    await page.locator('[data-testid=unsent][data-state=failed]').waitFor();
    await page.locator('[data-testid=unsent-queue]').click();
    // As if a node had claimed it and died mid-send (claimed under a lease nobody holds now).
    await waitFor(async () => (await db.query("SELECT id FROM shared_outbox WHERE slot = 1 AND status = 'pending'")).length === 1, 5000, 'the queued entry');
    await db.query("UPDATE shared_outbox SET status = 'sending', attempted_at = ?, claimed_fence = 0, claimed_by = 'ui-gone' WHERE slot = 1 AND status = 'pending'", [Date.now()]);
    await kit.api('POST', '/api/connect', { slot: 1 });
    const row = page.locator('[data-testid=unsent][data-unconfirmed=true]');
    await row.waitFor({ timeout: 30_000 });
    expect(await row.innerText()).toMatch(/Not confirmed — It may already have been sent — check the chat on a phone before you retry\./);
    // Nothing was sent by the bridge: the demo chat has no such message of ours.
    expect(await page.locator('[data-testid=message]', { hasText: 'cut off mid-send' }).count()).toBe(1); // the local row only
    await waitFor(() => readyOn(1), 20_000, 'slot 1 READY again');
    // The shop checked the phone: not there. Retry sends it (once).
    await row.locator('[data-testid=unsent-retry]').click();
    await expect.poll(() => page.locator('[data-testid=unsent]').count(), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => page.locator('[data-testid=message]', { hasText: 'cut off mid-send' }).count()).toBe(1);
    const sent = await db.query("SELECT status, unconfirmed FROM shared_outbox WHERE slot = 1");
    expect(sent.map((r) => ({ ...r }))).toEqual([{ status: 'failed', unconfirmed: 1 }]);
    await page.close();
  });

  it('is not offered without cluster mode', async () => {
    const page = await kit.context.newPage();
    await page.addInitScript({ content: `sessionStorage.setItem('waBridge.adminToken', ${JSON.stringify(plain.token)});` });
    await page.goto(kit.bridge.url.replace(/:\d+$/, `:${plain.bridge.port}`) + '/');
    await page.waitForSelector('[data-testid=nav-settings]');
    expect(await page.locator('[data-testid=nav-cluster]').count()).toBe(0);
    await page.close();
  });
});
