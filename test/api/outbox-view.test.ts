// The admin's view of queued messages that did not go (GET /api/outbox, retry, discard), on the
// single-node SQLite outbox.
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSlot, startBridge, WsClient, type TestBridge } from '../helpers/bridge.js';
import { jpegPhoto } from '../helpers/media.js';

describe('GET /api/outbox, retry, discard', () => {
  let t: TestBridge;
  let ws: WsClient;
  const ids: Record<string, string> = {};
  let photo = '';
  const admin = (method: 'get' | 'post' | 'delete', route: string, body?: object) => {
    const req = t.http[method](route).set('apikey', t.token);
    return body ? req.send(body) : req;
  };
  const queue = async (route: string, body: object) => {
    const res = await admin('post', route, { slot: 2, queue: true, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.outboxId as string;
  };
  const list = async (query = '') => (await admin('get', `/api/outbox${query}`).expect(200)).body.data as Record<string, unknown>[];
  /** What a failed send leaves (the drain's markFailed), written straight into the state database. */
  const failInDb = (id: string, error: string) => {
    const db = new Database(path.join(t.dataDir, 'bridge.db'));
    db.prepare(`UPDATE outbox SET status = 'failed', error = ?, attempted_at = ? WHERE id = ?`).run(error, Date.now(), id);
    db.close();
  };

  beforeAll(async () => {
    t = await startBridge({ slots: 2 });
    await connectSlot(t, 1);
    ws = await WsClient.open(t.bridge.url, t.token);
    photo = (await jpegPhoto(32, 32)).toString('base64');
    // Slot 2 is down: these wait in the outbox.
    ids.text = await queue('/api/send', { phone: '15550100008', message: `long ${'x'.repeat(300)}` });
    ids.poll = await queue('/api/send-poll', { chatId: '15550100009@c.us', question: 'Lunch?', options: ['yes', 'no'] });
    ids.media = await queue('/api/send-media', { phone: '15550100010', base64: photo, mimetype: 'image/jpeg', caption: 'the photo' });
  });
  afterAll(async () => {
    ws.close();
    await t.stop();
  });

  it('lists entries not sent, newest first, with a preview and never the content', async () => {
    const rows = await list();
    expect(rows.map((r) => r.outboxId)).toEqual([ids.media, ids.poll, ids.text]);
    expect(rows[0]).toEqual({
      outboxId: ids.media, slot: 2, phone: '15550100010', kind: 'media', preview: 'the photo', status: 'pending', error: null, unconfirmed: false, createdAt: expect.any(Number),
    });
    expect(rows[1]).toMatchObject({ chatId: '15550100009@c.us', kind: 'poll', preview: 'Lunch?' });
    expect(rows[2]!.preview).toBe(`long ${'x'.repeat(195)}`);
    expect(JSON.stringify(rows)).not.toContain(photo.slice(0, 40));
  });

  it('filters by slot, status and limit; refuses a bad query with 400', async () => {
    expect(await list('?slot=1')).toEqual([]);
    expect((await list('?slot=2&status=pending')).length).toBe(3);
    expect(await list('?status=failed')).toEqual([]);
    expect(await list('?status=unconfirmed')).toEqual([]);
    expect((await list('?limit=1')).map((r) => r.outboxId)).toEqual([ids.media]);
    for (const q of ['?status=sent', '?slot=0', '?slot=x', '?limit=0', '?limit=201']) {
      const res = await admin('get', `/api/outbox${q}`).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('discards a pending entry: it is never sent', async () => {
    const res = await admin('delete', `/api/outbox/${ids.poll}`).expect(200);
    expect(res.body).toEqual({ success: true, outboxId: ids.poll, slot: 2, discarded: true });
    expect((await list()).map((r) => r.outboxId)).toEqual([ids.media, ids.text]);
    expect((await admin('delete', `/api/outbox/${ids.poll}`).expect(404)).body.error.code).toBe('NOT_FOUND');
  });

  it('shows a failed entry with its reason; a retry sends it at once on a ready slot', async () => {
    failInDb(ids.text, 'WhatsApp did not accept the message: boom');
    await connectSlot(t, 2);
    await ws.waitFrame((f) => f.type === 'outbox_sent' && f.outboxId === ids.media);
    const failed = await list('?status=failed');
    expect(failed).toEqual([expect.objectContaining({ outboxId: ids.text, status: 'failed', error: 'WhatsApp did not accept the message: boom' })]);

    const res = await admin('post', `/api/outbox/${ids.text}/retry`).expect(200);
    expect(res.body).toEqual({ success: true, outboxId: ids.text, slot: 2, status: 'pending' });
    await ws.waitFrame((f) => f.type === 'outbox_sent' && f.outboxId === ids.text);
    expect(await list()).toEqual([]);
  });

  it('409 CONFLICT for an entry in another state, 404 for an unknown id', async () => {
    const sent = await admin('post', `/api/outbox/${ids.media}/retry`).expect(409);
    expect(sent.body.error).toEqual({ code: 'CONFLICT', message: `queued message ${ids.media} is sent: only a failed one can be retried` });
    expect((await admin('delete', `/api/outbox/${ids.media}`).expect(409)).body.error.code).toBe('CONFLICT');
    expect((await admin('post', '/api/outbox/nope/retry').expect(404)).body.error.code).toBe('NOT_FOUND');
  });

  it('discards a failed entry (a number not on WhatsApp); both actions are audited', async () => {
    await admin('post', '/api/disconnect', { slot: 2 }).expect(200);
    const id = await queue('/api/send', { phone: '15550190000', message: 'nobody' });
    await connectSlot(t, 2);
    await ws.waitFrame((f) => f.type === 'outbox_failed' && f.outboxId === id);
    expect((await list('?status=failed'))[0]).toMatchObject({ outboxId: id, error: expect.stringContaining('not on WhatsApp') });
    await admin('delete', `/api/outbox/${id}`).expect(200);
    expect(await list('?status=failed')).toEqual([]);
    const audit = (await admin('get', '/api/audit').expect(200)).body.data as { action: string; detail: string }[];
    expect(audit.filter((a) => a.action.startsWith('outbox_')).map((a) => [a.action, JSON.parse(a.detail).outboxId])).toEqual(
      expect.arrayContaining([['outbox_retry', ids.text], ['outbox_discard', id], ['outbox_discard', ids.poll]]),
    );
  });

  it('is admin only: a device token gets 403', async () => {
    const token = (await admin('post', '/api/devices', { name: 'phone' }).expect(201)).body.token as string;
    for (const [method, route] of [['get', '/api/outbox'], ['post', `/api/outbox/${ids.text}/retry`], ['delete', `/api/outbox/${ids.text}`]] as const) {
      const res = await t.http[method](route).set('apikey', token).expect(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
  });
});
