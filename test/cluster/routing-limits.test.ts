// Cluster mode, send limits: a slot's limits hold across nodes. Every send for a slot is run —
// and counted — by the node that owns it, whichever node the phone talks to and by whichever
// door (REST, WebSocket, GraphQL, upload): a phone cannot double its allowance with two nodes.
import { describe, expect, it } from 'vitest';
import { WsClient } from '../helpers/bridge.js';
import { jpegPhoto } from '../helpers/media.js';
import { ADMIN, ownedBy, twoNodes, type TestDb, type TestNode } from './routing-kit.js';

let db: TestDb;
let a: TestNode;
let b: TestNode;
/** Three messages a minute to one recipient, on both nodes. */
const LIMIT = { ratePerMinute: 3 };

twoNodes({ preferredSlots: '2', ...LIMIT }, async (n) => {
  ({ db, a, b } = n);
  await a.http.post('/api/connect').set('apikey', ADMIN).send({ slot: 2 }).expect(200);
  await ownedBy(db, b, 2);
}, LIMIT);

describe('send limits across nodes', () => {
  it('three sends through A (REST, WebSocket, GraphQL) use up the minute on B too; uploads are counted as well', async () => {
    const to = '+15550100077';
    await a.http.post('/api/send').set('apikey', ADMIN).send({ slot: 2, phone: to, message: '1 via A' }).expect(200);
    const phone = await WsClient.open(a.bridge.url, ADMIN);
    try {
      const reply = await phone.command('send_message', { slot: 2, phone: to, message: '2 via A (ws)' });
      expect(reply.success).toBe(true);
    } finally {
      phone.ws.close();
    }
    const gql = await a.http.post('/graphql').set('apikey', ADMIN).send({ query: `mutation { sendWhatsAppNotification(slot: 2, phoneNumber: "${to}", message: "3 via A (gql)") }` }).expect(200);
    expect(gql.body).toEqual({ data: { sendWhatsAppNotification: true } });

    // The fourth, by any door on either node, is refused by the owner's one counter.
    const onB = await b.http.post('/api/send').set('apikey', ADMIN).send({ slot: 2, phone: to, message: '4 on B', queue: false }).expect(429);
    expect(onB.body.error.code).toBe('RATE_LIMITED');
    expect(Number(onB.headers['retry-after'])).toBeGreaterThan(0);
    const onA = await a.http.post('/api/send').set('apikey', ADMIN).send({ slot: 2, phone: to, message: '4 via A', queue: false }).expect(429);
    expect(onA.headers['x-wab-served-by']).toBe(b.id);
    const upload = await a.http.post('/api/send-media').set('apikey', ADMIN).field('slot', '2').field('phone', to).attach('file', await jpegPhoto(32, 32), { filename: 'x.jpg', contentType: 'image/jpeg' }).expect(429);
    expect(upload.body.error.code).toBe('RATE_LIMITED');
    const gqlRefused = await a.http.post('/graphql').set('apikey', ADMIN).send({ query: `mutation { sendWhatsAppNotification(slot: 2, phoneNumber: "${to}", message: "4 via A (gql)") }` }).expect(200);
    expect(gqlRefused.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    // Another recipient still has its own allowance.
    await a.http.post('/api/send').set('apikey', ADMIN).send({ slot: 2, phone: '+15550100078', message: 'other recipient' }).expect(200);
  });
});
