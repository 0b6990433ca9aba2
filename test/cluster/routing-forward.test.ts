// Cluster mode, forwarding: a command for a slot another node owns is served by that node, with
// the caller's own scope; unknown or unreachable owners answer 409 NOT_CONNECTED; node-to-node
// calls need the cluster key; a forwarded request is never forwarded again.
import { describe, expect, it } from 'vitest';
import { CALLER_HEADER, CLUSTER_KEY_HEADER, encodeCaller, HOP_HEADER } from '../../bridge/cluster/cluster-key.js';
import { waitFor, WsClient } from '../helpers/bridge.js';
import { jpegPhoto } from '../helpers/media.js';
import { addDeadNode, ADMIN, CLUSTER_KEY, ownedBy, setLease, twoNodes, type TestDb, type TestNode } from './routing-kit.js';

let db: TestDb;
let a: TestNode;
let b: TestNode;

twoNodes({ preferredSlots: '2' }, async (n) => {
  ({ db, a, b } = n);
  // Started through A: B, which prefers slot 2, takes it.
  await a.http.post('/api/connect').set('apikey', ADMIN).send({ slot: 2 }).expect(200);
  await ownedBy(db, b, 2);
  await addDeadNode(db, 'node-c');
});

describe('forwarding to the owner of a slot', () => {
  it('REST send through node A for a slot node B owns is sent by B', async () => {
    const sentOnB: string[] = [];
    const off = b.bridge.onEvent((e) => {
      if (e.type === 'new_message' && (e as { message: { fromMe: number } }).message.fromMe === 1) sentOnB.push((e as { message: { id: string } }).message.id);
    });
    try {
      const res = await a.http.post('/api/send').set('apikey', ADMIN).send({ slot: 2, phone: '+15550100002', message: 'via A' }).expect(200);
      expect(res.headers['x-wab-served-by']).toBe(b.id);
      expect(res.body.messageId).toEqual(expect.any(String));
      expect(sentOnB).toContain(res.body.messageId);
      // Reads go to the owner too.
      const chats = await a.http.get('/api/chats').query({ slot: 2 }).set('apikey', ADMIN).expect(200);
      expect(chats.headers['x-wab-served-by']).toBe(b.id);
    } finally {
      off();
    }
  });

  it('a multipart upload through node A for a slot node B owns is sent by B, file intact', async () => {
    const sentOnB: { id: string; type: string }[] = [];
    const off = b.bridge.onEvent((e) => {
      const m = (e as { message?: { id: string; type: string; fromMe: number } }).message;
      if (e.type === 'new_message' && m?.fromMe === 1) sentOnB.push(m);
    });
    try {
      const photo = await jpegPhoto(64, 48);
      const res = await a.http
        .post('/api/send-media')
        .set('apikey', ADMIN)
        .field('slot', '2')
        .field('phone', '+15550100002')
        .field('caption', 'upload via A')
        .attach('file', photo, { filename: 'shelf.jpg', contentType: 'image/jpeg' })
        .expect(200);
      expect(res.headers['x-wab-served-by']).toBe(b.id);
      expect(sentOnB).toContainEqual(expect.objectContaining({ id: res.body.messageId, type: 'image' }));
      // The owner checks the form as any upload: a missing file is its 400, not a 500 on the way.
      const bad = await a.http.post('/api/send-media').set('apikey', ADMIN).field('slot', '2').field('phone', '+15550100002').expect(400);
      expect(bad.headers['x-wab-served-by']).toBe(b.id);
      expect(bad.body.error.message).toContain('file is required');
    } finally {
      off();
    }
  });

  it('GraphQL mutations through node A for slot 2 are run by node B, with the caller’s scope and B’s errors', async () => {
    const sentOnB: string[] = [];
    const off = b.bridge.onEvent((e) => {
      const m = (e as { message?: { id: string; fromMe: number } }).message;
      if (e.type === 'new_message' && m?.fromMe === 1) sentOnB.push(m.id);
    });
    const gql = (token: string, query: string, variables: Record<string, unknown>) => a.http.post('/graphql').set('apikey', token).send({ query, variables }).expect(200);
    try {
      const sent = await gql(ADMIN, 'mutation($i: SendTextInput!) { sendText(input: $i) { messageId queued outboxId } }', { i: { slot: 2, phoneNumber: '+15550100002', message: 'gql via A' } });
      expect(sent.body.errors).toBeUndefined();
      expect(sent.body.data.sendText).toMatchObject({ messageId: expect.any(String), queued: false, outboxId: null });
      expect(sentOnB).toContain(sent.body.data.sendText.messageId);
      const notified = await gql(ADMIN, 'mutation { sendWhatsAppNotification(slot: 2, phoneNumber: "+15550100002", message: "seed via A") }', {});
      expect(notified.body).toEqual({ data: { sendWhatsAppNotification: true } });
      await waitFor(() => sentOnB.length >= 2, 5000, 'the notification sent on B');
      const tested = await gql(ADMIN, 'mutation { testWhatsAppConnection(slot: 2, phoneNumber: "+15550100002") }', {});
      expect(tested.body).toEqual({ data: { testWhatsAppConnection: true } });
      // B's own refusals come back with their codes: a bad number, a device limited to slot 1.
      const invalid = await gql(ADMIN, 'mutation { sendWhatsAppNotification(slot: 2, phoneNumber: "12", message: "x") }', {});
      expect(invalid.body.errors[0].extensions.code).toBe('INVALID_NUMBER');
      const only1 = await a.http.post('/api/devices').set('apikey', ADMIN).send({ name: 'gql slot 1 only', slots: [1], role: 'send' }).expect(201);
      const refused = await gql(only1.body.token, 'mutation { sendWhatsAppNotification(slot: 2, phoneNumber: "+15550100002", message: "x") }', {});
      expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
    } finally {
      off();
    }
  });

  it('GraphQL slot queries through node A for slot 2 answer B’s state, QR fields included', async () => {
    const res = await a.http
      .post('/graphql')
      .set('apikey', ADMIN)
      .send({ query: '{ whatsAppStatus(slot: 2) { connected slot state qrCode qrExpiresAt } slot(slot: 2) { slot state connected active hasQr phone sessionSeconds queued } }' })
      .expect(200);
    expect(res.body.errors).toBeUndefined();
    // A itself does not run slot 2 (STOPPED there): the answer is B's.
    expect(res.body.data.whatsAppStatus).toEqual({ connected: true, slot: 2, state: 'READY', qrCode: null, qrExpiresAt: null });
    expect(res.body.data.slot).toMatchObject({ slot: 2, state: 'READY', connected: true, active: true, hasQr: false, phone: expect.any(String), queued: 0 });
    expect(res.body.data.slot.sessionSeconds).toEqual(expect.any(Number));
    // The caller's scope is checked on A before anything is asked of B.
    const only1 = await a.http.post('/api/devices').set('apikey', ADMIN).send({ name: 'gql read slot 1', slots: [1], role: 'read' }).expect(201);
    const refused = await a.http.post('/graphql').set('apikey', only1.body.token).send({ query: '{ slot(slot: 2) { state } }' }).expect(200);
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('keeps the caller’s device scope: the owner refuses a slot the device may not use', async () => {
    const only1 = await a.http.post('/api/devices').set('apikey', ADMIN).send({ name: 'slot 1 only', slots: [1], role: 'send' }).expect(201);
    const res = await a.http.post('/api/send').set('apikey', only1.body.token).send({ slot: 2, phone: '+15550100002', message: 'no' }).expect(403);
    expect(res.headers['x-wab-served-by']).toBe(b.id);
    expect(res.body.error.code).toBe('FORBIDDEN');
    const reader = await a.http.post('/api/devices').set('apikey', ADMIN).send({ name: 'reader', role: 'read' }).expect(201);
    await a.http.post('/api/send').set('apikey', reader.body.token).send({ slot: 2, phone: '+15550100002', message: 'no' }).expect(403);
  });

  it('a WebSocket send_message on node A for slot 2 is answered by node B with the message id', async () => {
    const phone = await WsClient.open(a.bridge.url, ADMIN);
    try {
      const reply = await phone.command('send_message', { slot: 2, phone: '+15550100002', message: 'ws via A' });
      expect(reply.success).toBe(true);
      expect((reply.data as { messageId: string }).messageId).toEqual(expect.any(String));
      const refused = await phone.command('send_message', { slot: 4, phone: '+15550100002', message: 'nobody runs slot 4' });
      expect(refused.error).toMatchObject({ code: 'NOT_CONNECTED' });
    } finally {
      phone.ws.close();
    }
  });

  it('an owner that is unknown or does not answer: 409 NOT_CONNECTED', async () => {
    const none = await a.http.post('/api/send').set('apikey', ADMIN).send({ slot: 4, phone: '+15550100002', message: 'x', queue: false }).expect(409);
    expect(none.body.error.code).toBe('NOT_CONNECTED');
    await setLease(db, 5, 'node-c', 1);
    const gone = await a.http.post('/api/send').set('apikey', ADMIN).send({ slot: 5, phone: '+15550100002', message: 'x' }).expect(409);
    expect(gone.body.error).toMatchObject({ code: 'NOT_CONNECTED', message: expect.stringContaining('node-c') });
  });

  it('node-to-node calls: no key 401, wrong key 403, forged callers refused; a forwarded request is not forwarded again', async () => {
    const admin = encodeCaller({ kind: 'admin', id: 'admin' });
    const noKey = await b.http.get('/api/slots').set(CALLER_HEADER, admin).expect(401);
    expect(noKey.body.error.message).toContain('cluster key');
    const wrong = await b.http.get('/api/slots').set(CALLER_HEADER, admin).set(CLUSTER_KEY_HEADER, 'not-the-cluster-key-at-all').expect(403);
    expect(wrong.body.error.message).toContain('wrong cluster key');
    await b.http.get('/api/slots').set(CALLER_HEADER, 'bm90IGpzb24').set(CLUSTER_KEY_HEADER, CLUSTER_KEY).expect(400);
    await b.http.get('/api/slots').set(CALLER_HEADER, admin).set(CLUSTER_KEY_HEADER, CLUSTER_KEY).expect(200);
    // The internal command route is for nodes only, even for the admin token.
    await b.http.post('/api/cluster/ws-command').set('apikey', ADMIN).send({ type: 'ping' }).expect(403);
    // Slot 6 belongs to another node, but this request already made its hop: B serves it (409), no ping-pong.
    await setLease(db, 6, 'node-c', 1);
    const looped = await b.http
      .post('/api/send')
      .set(CALLER_HEADER, admin)
      .set(CLUSTER_KEY_HEADER, CLUSTER_KEY)
      .set(HOP_HEADER, 'node-a')
      .send({ slot: 6, phone: '+15550100002', message: 'x', queue: false })
      .expect(409);
    expect(looped.headers['x-wab-served-by']).toBeUndefined();
  });
});
