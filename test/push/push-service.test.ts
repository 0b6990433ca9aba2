// The push service over firebase-admin's real HTTP path, with Google's endpoints answered by nock.
import { createPublicKey, verify } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACCESS_TOKEN, PROJECT_ID, fcmError, installFakeFcm, removeFakeFcm, writeServiceAccount, type FakeFcm, type ServiceAccountFile } from './fcm-fixture.js';
import { TOKEN_A, TOKEN_B, chatRow, incoming, makeService, metricValue } from './helpers.js';

let tmp: string;
let sa: ServiceAccountFile;
let fcm: FakeFcm;
const toClose: { close(): Promise<void> }[] = [];

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'push-'));
  sa = writeServiceAccount(tmp);
  fcm = installFakeFcm();
});

afterEach(async () => {
  for (const s of toClose.splice(0)) await s.close();
  removeFakeFcm();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function enabledService(over: Parameters<typeof makeService>[0] = {}) {
  const made = makeService({ serviceAccountPath: sa.file, ...over });
  toClose.push(made.service);
  return made;
}

describe('push service: enabling', () => {
  it('is off without a service account, says so once, and sends nothing', async () => {
    const { service, registry, logLines } = makeService();
    toClose.push(service);
    expect(service.status).toEqual({ enabled: false, reason: 'FIREBASE_SERVICE_ACCOUNT is not set' });
    service.registerToken('dev-1', TOKEN_A);
    service.onMessage(1, incoming(), chatRow());
    service.onMessage(1, incoming(), chatRow());
    await service.close(); // flushes and drains: whatever would ever be sent has been
    expect(fcm.requests).toHaveLength(0);
    expect(logLines.filter((l) => l.msg === 'push notifications off')).toHaveLength(1);
    expect(await metricValue(registry, 'wa_push_suppressed_total', { reason: 'disabled' })).toBe(2);
  });

  it('gives a clear reason for an unreadable, malformed or incomplete key file', () => {
    const missing = makeService({ serviceAccountPath: path.join(tmp, 'nope.json') });
    expect(missing.service.status.enabled).toBe(false);
    expect(missing.service.status.reason).toMatch(/cannot read service account .*nope\.json: ENOENT/);

    fs.writeFileSync(path.join(tmp, 'bad.json'), '{not json');
    expect(makeService({ serviceAccountPath: path.join(tmp, 'bad.json') }).service.status.reason).toMatch(/is not valid JSON/);

    fs.writeFileSync(path.join(tmp, 'partial.json'), JSON.stringify({ project_id: 'x', client_email: 'a@b.c' }));
    expect(makeService({ serviceAccountPath: path.join(tmp, 'partial.json') }).service.status.reason).toMatch(/"private_key"/);

    fs.writeFileSync(path.join(tmp, 'badkey.json'), JSON.stringify({ project_id: 'x', client_email: 'a@b.c', private_key: 'garbage' }));
    expect(makeService({ serviceAccountPath: path.join(tmp, 'badkey.json') }).service.status.reason).toMatch(/not a valid PEM key/);
  });

  it('is on with a valid key', () => {
    const { service, logLines } = enabledService();
    expect(service.status).toEqual({ enabled: true, reason: null });
    expect(logLines.some((l) => l.msg === 'push notifications on (FCM)')).toBe(true);
  });
});

describe('push service: what is sent', () => {
  it('pushes a direct message to an offline device with the exact FCM body, signed with the key', async () => {
    const { service, registry } = enabledService();
    service.registerToken('dev-1', TOKEN_A, 'android');
    const msg = incoming({ body: 'Are we still on for 6?' });
    service.onMessage(2, msg, chatRow());
    // Counted once FCM's answer is in: wait for that, not for a fixed time.
    await vi.waitFor(async () => expect(await metricValue(registry, 'wa_push_sent_total')).toBe(1), { timeout: 5000 });

    expect(fcm.requests[0]).toEqual({
      message: {
        token: TOKEN_A,
        notification: { title: 'Lina Haddad', body: 'Are we still on for 6?' },
        data: { slot: '2', chatId: '962781523783@c.us', messageId: msg.id, type: 'chat', count: '1' },
        android: { collapse_key: '2:962781523783@c.us', priority: 'high', notification: { tag: '2:962781523783@c.us' } },
        apns: { headers: { 'apns-priority': '10', 'apns-collapse-id': '2:962781523783@c.us' } },
      },
    });
    expect(fcm.authHeaders[0]).toBe(`Bearer ${ACCESS_TOKEN}`);

    // The OAuth call is a JWT bearer grant signed with the throwaway key.
    expect(fcm.tokenRequests).toHaveLength(1);
    const { grant_type, assertion } = fcm.tokenRequests[0]!;
    expect(grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [head, payload, signature] = assertion!.split('.');
    const ok = verify('RSA-SHA256', Buffer.from(`${head}.${payload}`), createPublicKey(sa.publicKeyPem), Buffer.from(signature!, 'base64url'));
    expect(ok).toBe(true);
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    expect(claims.iss).toBe(sa.clientEmail);
    expect(claims.aud).toBe('https://oauth2.googleapis.com/token');
    expect(claims.scope).toContain('https://www.googleapis.com/auth/firebase.messaging');

    expect(await metricValue(registry, 'wa_push_sent_total')).toBe(1);
  });

  it('titles group pushes "<group> · <sender>", labels media, and uses normal priority', async () => {
    const { service } = enabledService();
    service.registerToken('dev-1', TOKEN_A);
    const group = chatRow({ chatId: '120363041234567890@g.us', name: 'Family', isGroup: true });
    const msg = incoming({ chatId: group.chatId, type: 'image', hasMedia: 1, body: '', senderName: 'Omar' });
    service.onMessage(1, msg, group);
    await fcm.waitForRequests(1);
    expect(fcm.requests[0]).toEqual({
      message: {
        token: TOKEN_A,
        notification: { title: 'Family · Omar', body: '📷 Photo' },
        data: { slot: '1', chatId: group.chatId, messageId: msg.id, type: 'image', count: '1' },
        android: { collapse_key: `1:${group.chatId}`, priority: 'normal', notification: { tag: `1:${group.chatId}` } },
        apns: { headers: { 'apns-priority': '5', 'apns-collapse-id': `1:${group.chatId}` } },
      },
    });
  });

  it('coalesces a burst of one chat into one push, separately per chat', async () => {
    const { service } = enabledService({ coalesceMs: 150 });
    service.registerToken('dev-1', TOKEN_A);
    const first = incoming({ body: 'one' });
    const other = incoming({ chatId: '447700900123@c.us', body: 'elsewhere', senderName: 'Sam' });
    service.onMessage(1, first, chatRow());
    service.onMessage(1, incoming({ body: 'two' }), chatRow());
    service.onMessage(1, other, null);
    const last = incoming({ body: 'three' });
    service.onMessage(1, last, chatRow());
    await fcm.waitForRequests(2);
    await service.close();
    expect(fcm.requests).toHaveLength(2);
    const byChat = Object.fromEntries(fcm.requests.map((r) => [(r.message.data as Record<string, string>).chatId, r.message]));
    expect(byChat['962781523783@c.us']).toMatchObject({
      notification: { title: 'Lina Haddad', body: '3 new messages' },
      data: { messageId: last.id, count: '3' },
    });
    // No chat row known: the sender's name is the title.
    expect(byChat['447700900123@c.us']).toMatchObject({ notification: { title: 'Sam', body: 'elsewhere' }, data: { count: '1' } });
  });

  it('a message after the window starts a new push', async () => {
    const { service } = enabledService({ coalesceMs: 40 });
    service.registerToken('dev-1', TOKEN_A);
    service.onMessage(1, incoming({ body: 'early' }), chatRow());
    await fcm.waitForRequests(1);
    service.onMessage(1, incoming({ body: 'later' }), chatRow());
    await fcm.waitForRequests(2);
    expect(fcm.requests.map((r) => (r.message.notification as { body: string }).body)).toEqual(['early', 'later']);
  });
});

describe('push service: suppression', () => {
  it('does not push to a device with an open socket, but does to the offline one', async () => {
    const { service, registry } = enabledService({ online: new Set(['dev-online']) });
    service.registerToken('dev-online', TOKEN_A);
    service.registerToken('dev-offline', TOKEN_B);
    service.onMessage(1, incoming(), chatRow());
    await service.close();
    expect(fcm.requests.map((r) => r.message.token)).toEqual([TOKEN_B]);
    expect(await metricValue(registry, 'wa_push_suppressed_total', { reason: 'online' })).toBe(1);
  });

  it('gives phones sharing one device token their own registration and their own online state', async () => {
    const online = new Set<string>();
    const { service } = enabledService({ isDeviceOnline: (id: string, inst: string | null) => online.has(`${id}/${inst}`) });
    service.registerToken('shop', TOKEN_A, 'android', 'inst-a');
    service.registerToken('shop', TOKEN_B, 'ios', 'inst-b');
    // Both offline: each phone gets its own push.
    service.onMessage(1, incoming({ body: 'both' }), chatRow());
    await fcm.waitForRequests(2);
    expect(fcm.requests.map((r) => r.message.token).sort()).toEqual([TOKEN_A, TOKEN_B].sort());
    // Phone A opens the app: only B is pushed.
    online.add('shop/inst-a');
    service.onMessage(1, incoming({ body: 'only b', chatId: '447700900123@c.us' }), chatRow({ chatId: '447700900123@c.us' }));
    await service.close();
    expect(fcm.requests.slice(2).map((r) => r.message.token)).toEqual([TOKEN_B]);
  });

  it('does not push my own messages', async () => {
    const { service, registry } = enabledService();
    service.registerToken('dev-1', TOKEN_A);
    service.onMessage(1, incoming({ fromMe: 1 }), chatRow());
    await service.close();
    expect(fcm.requests).toHaveLength(0);
    expect(await metricValue(registry, 'wa_push_suppressed_total', { reason: 'from_me' })).toBe(1);
  });

  it('suppresses muted chats (forever or until a future time) even when the isMuted flag is stale', async () => {
    const nowSec = Math.floor(Date.now() / 1000);
    const { service, registry } = enabledService();
    service.registerToken('dev-1', TOKEN_A);
    service.onMessage(1, incoming(), chatRow({ isMuted: true, muteExpiration: -1 }));
    service.onMessage(1, incoming(), chatRow({ isMuted: false, muteExpiration: nowSec + 3600 }));
    await service.close();
    expect(fcm.requests).toHaveLength(0);
    expect(await metricValue(registry, 'wa_push_suppressed_total', { reason: 'muted' })).toBe(2);
  });

  it('pushes once a mute has expired, even though the library still says isMuted', async () => {
    const nowSec = Math.floor(Date.now() / 1000);
    const { service } = enabledService();
    service.registerToken('dev-1', TOKEN_A);
    service.onMessage(1, incoming({ body: 'after the mute' }), chatRow({ isMuted: true, muteExpiration: nowSec - 60 }));
    await fcm.waitForRequests(1);
    expect(fcm.requests[0]!.message.notification).toEqual({ title: 'Lina Haddad', body: 'after the mute' });
  });

  it('judges mute expiry and staleness by the injected clock', async () => {
    let clock = Date.parse('2030-01-01T00:00:00Z');
    const { service, registry } = enabledService({ now: () => clock });
    service.registerToken('dev-1', TOKEN_A);
    const muteEnds = clock / 1000 + 60;
    const at = (offsetSec: number) => incoming({ timestamp: clock / 1000 + offsetSec });
    service.onMessage(1, at(0), chatRow({ muteExpiration: muteEnds }));
    clock += 61_000;
    service.onMessage(1, at(0), chatRow({ muteExpiration: muteEnds }));
    service.onMessage(1, at(-301), chatRow()); // history sync: older than 5 minutes
    await service.close();
    expect(fcm.requests).toHaveLength(1);
    expect(await metricValue(registry, 'wa_push_suppressed_total', { reason: 'muted' })).toBe(1);
    expect(await metricValue(registry, 'wa_push_suppressed_total', { reason: 'stale' })).toBe(1);
  });

  it('respects the per-slot permission hook', async () => {
    const { service, registry } = enabledService({ canSeeSlot: (deviceId, slot) => deviceId === 'dev-1' || slot === 1 });
    service.registerToken('dev-1', TOKEN_A);
    service.registerToken('dev-2', TOKEN_B);
    service.onMessage(3, incoming(), chatRow());
    await service.close();
    expect(fcm.requests.map((r) => r.message.token)).toEqual([TOKEN_A]);
    expect(await metricValue(registry, 'wa_push_suppressed_total', { reason: 'not_allowed' })).toBe(1);
  });
});

describe('push service: robustness', () => {
  it('never throws into message handling, whatever it is handed', async () => {
    const { service, registry } = enabledService();
    service.registerToken('dev-1', TOKEN_A);
    expect(() => service.onMessage(1, {} as never, null)).not.toThrow();
    expect(() => service.onMessage(1, incoming(), {} as never)).not.toThrow();
    expect(() => service.onMessage(1, null as never, null)).not.toThrow();
    await fcm.waitForRequests(1); // the one well-formed message (its chat row unreadable: not muted)
    expect(await metricValue(registry, 'wa_push_suppressed_total', { reason: 'stale' })).toBe(1);
  });

  it('ignores messages after close and closes twice without harm', async () => {
    const { service, registry } = enabledService();
    service.registerToken('dev-1', TOKEN_A);
    await service.close();
    service.onMessage(1, incoming(), chatRow());
    await service.close();
    // A live service with the same window, told after: once its push is out, the closed one's
    // window (opened earlier) would have closed too.
    const live = enabledService();
    live.service.registerToken('dev-2', TOKEN_B);
    live.service.onMessage(1, incoming(), chatRow());
    await fcm.waitForRequests(1);
    await live.service.close();
    expect(fcm.requests.map((r) => r.message.token)).toEqual([TOKEN_B]);
    // Not even filed: no outcome of any kind was counted for it.
    expect((await registry.getMetricsAsJSON()).flatMap((m) => m.values).filter((v) => v.value > 0)).toEqual([]);
  });

  it('sends what is still in the coalescing window when closed', async () => {
    const { service } = enabledService({ coalesceMs: 60_000 });
    service.registerToken('dev-1', TOKEN_A);
    service.onMessage(1, incoming({ body: 'last words' }), chatRow());
    await service.close();
    expect(fcm.requests).toHaveLength(1);
    expect(fcm.requests[0]!.message.notification).toEqual({ title: 'Lina Haddad', body: 'last words' });
  });
});

describe('push service: tokens', () => {
  it('replaces a device token on re-register, and keeps tokens across a restart', async () => {
    const dbFile = path.join(tmp, 'bridge.db');
    const db1 = new Database(dbFile);
    const first = makeService({ serviceAccountPath: sa.file, db: db1 });
    first.service.registerToken('dev-1', TOKEN_A);
    first.service.registerToken('dev-1', TOKEN_B, 'ios');
    await first.service.close();
    db1.close();

    const db2 = new Database(dbFile);
    const second = enabledService({ db: db2 });
    second.service.onMessage(1, incoming(), chatRow());
    await second.service.close();
    expect(fcm.requests.map((r) => r.message.token)).toEqual([TOKEN_B]);
    await second.service.close();
    db2.close();
  });

  it('moves a token registered again under another device id (no double pushes)', async () => {
    const { service } = enabledService();
    service.registerToken('old-pairing', TOKEN_A);
    service.registerToken('admin', TOKEN_A);
    service.onMessage(1, incoming(), chatRow());
    await service.close();
    expect(fcm.requests).toHaveLength(1);
  });

  it('forgets a revoked device', async () => {
    const { service, registry } = enabledService();
    service.registerToken('dev-1', TOKEN_A);
    service.removeDevice('dev-1');
    service.onMessage(1, incoming(), chatRow());
    await service.close();
    expect(fcm.requests).toHaveLength(0);
    expect(await metricValue(registry, 'wa_push_suppressed_total', { reason: 'no_devices' })).toBe(1);
  });

  it('refuses malformed registrations with VALIDATION_ERROR', () => {
    const { service } = enabledService();
    expect(() => service.registerToken('dev-1', '')).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
    expect(() => service.registerToken('dev-1', 'has spaces in it but long enough')).toThrow(/token must be/);
    expect(() => service.registerToken('', TOKEN_A)).toThrow(/deviceId/);
    expect(() => service.registerToken('dev-1', TOKEN_A, 'a platform with spaces')).toThrow(/platform/);
    expect(() => service.registerToken('dev-1', 42 as unknown as string)).toThrow(/token must be/);
  });

  it('deletes a token FCM reports as unregistered, without retrying', async () => {
    const { service, registry, db } = enabledService();
    service.registerToken('dev-1', TOKEN_A);
    fcm.script.push(fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED'));
    service.onMessage(1, incoming(), chatRow());
    // Pruning is the job's final outcome: once counted, no retry can follow.
    await vi.waitFor(async () => expect(await metricValue(registry, 'wa_push_tokens_pruned_total')).toBe(1), { timeout: 5000 });
    expect(fcm.requests).toHaveLength(1);
    expect(db.prepare('SELECT COUNT(*) AS n FROM push_registrations').get()).toEqual({ n: 0 });
    expect(await metricValue(registry, 'wa_push_tokens_pruned_total')).toBe(1);
    expect(await metricValue(registry, 'wa_push_sent_total')).toBe(0);
  });

  it('deletes a token FCM calls invalid, but keeps it when invalid-argument is about the payload', async () => {
    const { service, registry, db } = enabledService();
    service.registerToken('dev-1', TOKEN_A);
    service.registerToken('dev-2', TOKEN_B);
    fcm.script.push(
      fcmError(400, 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token', 'INVALID_ARGUMENT'),
      fcmError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unknown name "foo"', 'INVALID_ARGUMENT'),
    );
    service.onMessage(1, incoming(), chatRow());
    // Both jobs settled (one pruned, one failed): nothing more can be sent.
    await vi.waitFor(async () => expect(await metricValue(registry, 'wa_push_failed_total', { code: 'messaging/invalid-argument' })).toBe(1), { timeout: 5000 });
    await vi.waitFor(async () => expect(await metricValue(registry, 'wa_push_tokens_pruned_total')).toBe(1), { timeout: 5000 });
    expect(fcm.requests).toHaveLength(2);
    const left = db.prepare('SELECT device_id FROM push_registrations').all() as { device_id: string }[];
    expect(left).toHaveLength(1);
    expect(await metricValue(registry, 'wa_push_tokens_pruned_total')).toBe(1);
    expect(await metricValue(registry, 'wa_push_failed_total', { code: 'messaging/invalid-argument' })).toBe(1);
  });
});

describe('push service: FCM trouble', () => {
  it('retries an FCM 500 with backoff and then delivers the same message', async () => {
    const { service, registry } = enabledService();
    service.registerToken('dev-1', TOKEN_A);
    fcm.script.push(fcmError(500, 'INTERNAL', 'Internal error encountered.', 'INTERNAL'));
    service.onMessage(1, incoming(), chatRow());
    // Sent is the job's final outcome: no third request can follow.
    await vi.waitFor(async () => expect(await metricValue(registry, 'wa_push_sent_total')).toBe(1), { timeout: 5000 });
    expect(fcm.requests).toHaveLength(2);
    expect(fcm.requests[1]).toEqual(fcm.requests[0]);
    expect(await metricValue(registry, 'wa_push_retries_total')).toBe(1);
    expect(await metricValue(registry, 'wa_push_sent_total')).toBe(1);
  });

  it('gives up after the last attempt and counts the failure', async () => {
    const { service, registry } = enabledService({ maxAttempts: 3 });
    service.registerToken('dev-1', TOKEN_A);
    for (let i = 0; i < 3; i++) fcm.script.push(fcmError(500, 'INTERNAL', 'Internal error encountered.', 'INTERNAL'));
    service.onMessage(1, incoming(), chatRow());
    await vi.waitFor(async () => expect(await metricValue(registry, 'wa_push_failed_total', { code: 'messaging/internal-error' })).toBe(1), { timeout: 5000 });
    expect(fcm.requests).toHaveLength(3);
    expect(await metricValue(registry, 'wa_push_failed_total', { code: 'messaging/internal-error' })).toBe(1);
    expect(await metricValue(registry, 'wa_push_sent_total')).toBe(0);
  });

  it('keeps at most 4 requests in flight (its concurrency), and uses all 4', async () => {
    const { service, registry } = enabledService({ coalesceMs: 0, maxAttempts: 1 });
    service.registerToken('dev-1', TOKEN_A);
    fcm.fallback = { status: 200, body: { name: `projects/${PROJECT_ID}/messages/x` }, delayMs: 60 };
    for (let i = 0; i < 24; i++) service.onMessage(1, incoming({ chatId: `96278${String(2000000 + i)}@c.us` }), null);
    await vi.waitFor(async () => expect(await metricValue(registry, 'wa_push_sent_total')).toBe(24), { timeout: 5000 });
    expect(fcm.peakInFlight).toBe(4);
    await service.close();
  });

  it('never delays message handling while FCM hangs, and times the attempts out', async () => {
    const { service, registry } = enabledService({ coalesceMs: 0, attemptTimeoutMs: 150, maxAttempts: 2, drainMs: 400 });
    service.registerToken('dev-1', TOKEN_A);
    fcm.fallback = { status: 200, body: {}, delayMs: 3000 };

    // What the bridge does per message: hand it to push, then broadcast new_message. Handing
    // over returns at once: all 50 are filed before FCM has answered anything.
    for (let i = 0; i < 50; i++) {
      expect(service.onMessage(1, incoming({ chatId: `96278${String(1000000 + i)}@c.us` }), null)).toBeUndefined();
    }
    expect(fcm.replied).toBe(0);

    await fcm.waitForRequests(4);
    // The stop does not wait for the hanging FCM (it answers after 3 s): it ends at its own deadline.
    await service.close();
    expect(fcm.replied).toBe(0);
    expect(await metricValue(registry, 'wa_push_sent_total')).toBe(0);
    expect(await metricValue(registry, 'wa_push_failed_total', { code: 'app/network-timeout' })).toBeGreaterThan(0);
    // Whatever could not be sent by the deadline is counted, not silently lost.
    // Attempts still running at close time end by their own deadline: wait for those outcomes.
    const failed = async () => (await metricValue(registry, 'wa_push_failed_total', { code: 'app/network-timeout' })) + (await metricValue(registry, 'wa_push_failed_total', { code: 'closed' }));
    await vi.waitFor(async () => expect(await failed()).toBe(50), { timeout: 5000 });
  });
});
