// GraphQL beyond the seed: the richer schema, GET, introspection, the served SDL, and every kind
// of bad request answered with a GraphQL error carrying extensions.code — never a 500.
import { buildSchema, getIntrospectionQuery, printSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DEPTH, MAX_FIELDS, MAX_TOKENS } from '../../bridge/http/graphql/limits.js';
import { SDL } from '../../bridge/http/graphql/sdl.js';
import { connectSlot, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';

interface Reply {
  status: number;
  body: { data?: Record<string, any> | null; errors?: { message: string; path?: unknown[]; extensions: { code: string } }[] };
}

describe('GraphQL', () => {
  let t: TestBridge;

  async function post(body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const res = await fetch(`${t.bridge.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', apikey: t.token, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Reply['body'] };
  }
  const gql = (query: string, variables?: Record<string, unknown>) => post({ query, variables });
  const codes = (r: Reply) => r.body.errors?.map((e) => e.extensions.code);

  beforeAll(async () => {
    t = await startBridge({ slots: 3 });
    await connectSlot(t, 1);
  });
  afterAll(() => t.stop());

  it('lists slots and sends a text with a message id, whose status can then be followed', async () => {
    const slots = await gql('{ slots { slot state connected active hasQr sessionSeconds queued } }');
    expect(slots.body.data!.slots).toHaveLength(3);
    expect(slots.body.data!.slots[0]).toMatchObject({ slot: 1, state: 'READY', connected: true, sessionSeconds: expect.any(Number), queued: 0 });
    expect(slots.body.data!.slots[1]).toMatchObject({ slot: 2, state: 'STOPPED', connected: false, sessionSeconds: null });

    const sent = await gql('mutation($m: String!) { sendText(input: { phoneNumber: "+962 7 8152 3783", message: $m }) { messageId queued outboxId } }', { m: 'hi' });
    expect(sent.body.data!.sendText).toEqual({ messageId: expect.stringMatching(/^true_962781523783@c\.us_/), queued: false, outboxId: null });
    const id = sent.body.data!.sendText.messageId as string;
    const status = await waitFor(async () => {
      const r = await gql('query($id: String!) { messageStatus(messageId: $id) { messageId chatId slot ack delivery fromMe } }', { id });
      const s = r.body.data!.messageStatus as { ack: number; delivery: string } | null;
      return s && s.ack >= 3 ? s : null;
    }, 10_000, 'a delivered ack');
    expect(status).toMatchObject({ messageId: id, chatId: '962781523783@c.us', slot: 1, fromMe: true });
    expect(['DELIVERED', 'READ']).toContain(status.delivery);

    const unknown = await gql('{ messageStatus(messageId: "true_1@c.us_NOPE") { ack } }');
    expect(unknown.body).toEqual({ data: { messageStatus: null } });
  });

  it('answers queries over GET and refuses mutations there', async () => {
    const ok = await fetch(`${t.bridge.url}/graphql?query=${encodeURIComponent('{ whatsAppStatus(slot: 2) { connected state } }')}`, { headers: { apikey: t.token } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: { whatsAppStatus: { connected: false, state: 'STOPPED' } } });

    const mutation = await fetch(`${t.bridge.url}/graphql?query=${encodeURIComponent('mutation { whatsAppConnect(slot: 2) }')}`, { headers: { apikey: t.token } });
    expect(mutation.status).toBe(405);
    const body = (await mutation.json()) as Reply['body'];
    expect(body.errors?.[0]?.message).toMatch(/mutations over GET/i);
  });

  it('introspection works and the checked-in SDL is served', async () => {
    const intro = await gql(getIntrospectionQuery());
    expect(intro.status).toBe(200);
    expect(intro.body.errors).toBeUndefined();
    const names = (intro.body.data!.__schema.types as { name: string }[]).map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['WhatsAppStatus', 'Slot', 'SendTextInput', 'MessageStatus']));

    const sdl = await t.http.get('/graphql/schema.graphql').set('apikey', t.token).expect(200);
    expect(printSchema(buildSchema(sdl.text))).toBe(printSchema(buildSchema(SDL)));
  });

  it.each([
    ['a malformed document', { query: '{ whatsAppStatus { connected ' }, 200, 'VALIDATION_ERROR'],
    ['an unknown field', { query: '{ whatsAppStatus { connected owner } }' }, 200, 'VALIDATION_ERROR'],
    ['a missing variable', { query: 'mutation($p: String!) { sendWhatsAppNotification(phoneNumber: $p, message: "x") }' }, 200, 'VALIDATION_ERROR'],
    ['a variable of the wrong type', { query: 'query($s: Int) { whatsAppStatus(slot: $s) { connected } }', variables: { s: 'one' } }, 200, 'VALIDATION_ERROR'],
    ['no query', { variables: {} }, 400, 'VALIDATION_ERROR'],
    ['a query that is not a string', { query: 42 }, 400, 'VALIDATION_ERROR'],
    ['a batch', [{ query: '{ slots { slot } }' }, { query: '{ slots { slot } }' }], 400, 'VALIDATION_ERROR'],
    ['a subscription', { query: 'subscription { x }' }, 200, 'VALIDATION_ERROR'],
  ])('refuses %s with a GraphQL error', async (_what, body, status, code) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(codes(res)).toEqual([code]);
    expect(res.body.errors![0]!.message).toBeTruthy();
  });

  it('refuses bad JSON, a wrong content type and an oversized body with GraphQL errors', async () => {
    const badJson = await post('{"query": ');
    expect([badJson.status, codes(badJson)]).toEqual([400, ['VALIDATION_ERROR']]);

    const text = await fetch(`${t.bridge.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain', apikey: t.token }, body: '{ slots { slot } }' });
    expect(text.status).toBe(415);
    expect(((await text.json()) as Reply['body']).errors?.[0]?.extensions.code).toBe('VALIDATION_ERROR');

    const huge = await post({ query: '{ slots { slot } }', variables: { pad: 'x'.repeat(300 * 1024) } });
    expect([huge.status, codes(huge)]).toEqual([413, ['VALIDATION_ERROR']]);
  });

  it('refuses documents that are too deep, too wide or too long', async () => {
    // Depth through nested introspection type references.
    let deep = 'name';
    for (let i = 0; i < MAX_DEPTH; i++) deep = `ofType { ${deep} }`;
    const tooDeep = await gql(`{ __schema { types { fields { type { ${deep} } } } } }`);
    expect(codes(tooDeep)).toEqual(['VALIDATION_ERROR']);
    expect(tooDeep.body.errors![0]!.message).toMatch(/levels deep/);

    // Width through aliases, multiplied by a fragment used several times.
    const aliases = Array.from({ length: 60 }, (_, i) => `a${i}: connected`).join(' ');
    const wide = await gql(`fragment F on WhatsAppStatus { ${aliases} } { ${Array.from({ length: 20 }, (_, i) => `s${i}: whatsAppStatus { ...F }`).join(' ')} }`);
    expect(codes(wide)).toEqual(['VALIDATION_ERROR']);
    expect(wide.body.errors![0]!.message).toContain(`${MAX_FIELDS} fields`);

    const manyTokens = await gql(`{ ${Array.from({ length: MAX_TOKENS }, (_, i) => `f${i}: slots { slot }`).join(' ')} }`);
    expect(codes(manyTokens)?.[0]).toBe('VALIDATION_ERROR');
  });

  it('field errors carry the bridge codes; a text over 4096 characters is a VALIDATION_ERROR', async () => {
    const long = await gql('mutation($m: String!) { sendWhatsAppNotification(phoneNumber: "962781523783", message: $m) }', { m: 'x'.repeat(4097) });
    expect(codes(long)).toEqual(['VALIDATION_ERROR']);
    const badSlot = await gql('{ whatsAppStatus(slot: 9) { connected } }');
    expect(codes(badSlot)).toEqual(['VALIDATION_ERROR']);
    expect(badSlot.body.errors![0]!.message).toMatch(/slot must be from 1 to 3/);
    const notReady = await gql('mutation { sendText(input: { slot: 2, phoneNumber: "962781523783", message: "x", queue: false }) { messageId } }');
    expect(codes(notReady)).toEqual(['NOT_CONNECTED']);
    const both = await gql('mutation { sendText(input: { phoneNumber: "962781523783", chatId: "962781523783@c.us", message: "x" }) { messageId } }');
    expect(codes(both)).toEqual(['VALIDATION_ERROR']);
  });

  it('a refused network address gets a GraphQL FORBIDDEN', async () => {
    const other = await startBridge({ allowCidrs: '10.0.0.0/8' });
    try {
      const res = await fetch(`${other.bridge.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', apikey: other.token }, body: '{"query":"{ slots { slot } }"}' });
      expect(res.status).toBe(403);
      expect(((await res.json()) as Reply['body']).errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    } finally {
      await other.stop();
    }
  });
});
