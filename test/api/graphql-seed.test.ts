// A client that knows only seed 001: plain fetch, the seed's documents verbatim, no slot argument.
// It runs the seed's connection flow on the demo engine and meets each of the seed's error codes
// in the situation the seed describes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoEngineFactory } from '../../bridge/engine/demo/index.js';
import type { EngineFactory } from '../../bridge/engine/types.js';
import { startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';

const STATUS = `query WhatsAppStatus {
whatsAppStatus {
connected
qrCode
qrCodeSvg
}
}`;
const CHECK_STATUS = `query CheckStatus {
whatsAppStatus {
connected
}
}`;
const CONNECT = `mutation WhatsAppConnect {
whatsAppConnect
}`;
const DISCONNECT = `mutation WhatsAppDisconnect {
whatsAppDisconnect
}`;
const SEND = `mutation SendWhatsAppNotification($phoneNumber: String!, $message: String!) {
sendWhatsAppNotification(phoneNumber: $phoneNumber, message: $message)
}`;
const TEST = `mutation TestWhatsAppConnection($phoneNumber: String!) {
testWhatsAppConnection(phoneNumber: $phoneNumber)
}`;

interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions: { code: string; retryAfter?: number };
}
interface GqlReply {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: GqlError[];
}

/** The seed's client: POST {query, variables} as JSON with the API key. */
function seedClient(url: string, token: string) {
  return async (query: string, variables?: Record<string, unknown>): Promise<GqlReply> => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', apikey: token },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, ...((await res.json()) as Omit<GqlReply, 'status'>) };
  };
}

/** Sends to this number fail inside "WhatsApp" (a test double around the demo engine). */
const FAILING_NUMBER = '447911123456';

function demoWithFailingNumber(scanMs: number): EngineFactory {
  const demo = createDemoEngineFactory({ scanMs, ackStepMs: 50 });
  return (ctx) => {
    const engine = demo(ctx);
    const sendText = engine.sendText.bind(engine);
    engine.sendText = (chatId, text, opts) => (chatId.startsWith(FAILING_NUMBER) ? Promise.reject(new Error('browser crashed')) : sendText(chatId, text, opts));
    return engine;
  };
}

describe('seed 001 over GraphQL', () => {
  let t: TestBridge;
  let gql: ReturnType<typeof seedClient>;

  beforeAll(async () => {
    t = await startBridge({ slots: 2 }, { engineFactory: demoWithFailingNumber(2500) });
    gql = seedClient(t.bridge.url, t.token);
  });
  afterAll(() => t.stop());

  it('runs the connection flow: status with QR → connect → poll → send → test → disconnect', async () => {
    const first = await gql(STATUS);
    expect(first).toEqual({ status: 200, data: { whatsAppStatus: { connected: false, qrCode: null, qrCodeSvg: null } } });

    expect((await gql(CONNECT)).data).toEqual({ whatsAppConnect: true });

    // Poll as the seed's guide does; on the way the QR to show appears.
    const withQr = await waitFor(async () => {
      const s = (await gql(STATUS)).data!.whatsAppStatus as { qrCode: string | null; qrCodeSvg: string | null };
      return s.qrCode ? s : null;
    }, 5000, 'a QR in the status');
    expect(Buffer.from(withQr.qrCode!, 'base64').subarray(0, 4).toString('hex')).toBe('89504e47'); // PNG, no prefix
    expect(withQr.qrCodeSvg).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(withQr.qrCodeSvg!.split(',')[1]!, 'base64').toString()).toContain('<svg');

    await waitFor(async () => ((await gql(CHECK_STATUS)).data!.whatsAppStatus as { connected: boolean }).connected, 10_000, 'connected');
    expect((await gql(STATUS)).data).toEqual({ whatsAppStatus: { connected: true, qrCode: null, qrCodeSvg: null } });

    const sent = await gql(SEND, { phoneNumber: '+14155552671', message: 'Hello from OrbVPN!' });
    expect(sent).toEqual({ status: 200, data: { sendWhatsAppNotification: true } });
    const archived = await waitFor(async () => {
      const res = await t.http.get('/api/archive?slot=1&chatId=14155552671@c.us').set('apikey', t.token);
      return (res.body.data as { body: string }[]).find((m) => m.body === 'Hello from OrbVPN!');
    }, 5000, 'the message in the archive');
    expect(archived).toBeTruthy();

    expect((await gql(TEST, { phoneNumber: '14155552671' })).data).toEqual({ testWhatsAppConnection: true });

    expect((await gql(DISCONNECT)).data).toEqual({ whatsAppDisconnect: true });
    expect((await gql(CHECK_STATUS)).data).toEqual({ whatsAppStatus: { connected: false } });
  });

  it('NOT_CONNECTED: sending while WhatsApp is not connected', async () => {
    const res = await gql(SEND, { phoneNumber: '14155552671', message: 'x' });
    expect(res.status).toBe(200);
    expect(res.data).toBeNull();
    expect(res.errors).toEqual([expect.objectContaining({ path: ['sendWhatsAppNotification'], extensions: { code: 'NOT_CONNECTED' } })]);
  });

  it('INVALID_NUMBER, RATE_LIMITED (with retryAfter) and SEND_FAILED while connected', async () => {
    await gql(CONNECT);
    await waitFor(async () => ((await gql(CHECK_STATUS)).data!.whatsAppStatus as { connected: boolean }).connected, 10_000, 'connected');

    for (const phoneNumber of ['12345', 'not a number', '+999 123']) {
      const bad = await gql(SEND, { phoneNumber, message: 'x' });
      expect(bad.errors?.[0]?.extensions.code).toBe('INVALID_NUMBER');
    }

    for (let i = 1; i <= 10; i++) expect((await gql(SEND, { phoneNumber: '962781523783', message: `n${i}` })).data).toEqual({ sendWhatsAppNotification: true });
    const limited = await gql(SEND, { phoneNumber: '962781523783', message: 'n11' });
    expect(limited.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    expect(limited.errors![0]!.extensions.retryAfter).toBeGreaterThan(0);
    expect(limited.errors![0]!.extensions.retryAfter).toBeLessThanOrEqual(60);

    const failed = await gql(SEND, { phoneNumber: FAILING_NUMBER, message: 'x' });
    expect(failed.errors?.[0]?.extensions.code).toBe('SEND_FAILED');
    const failedTest = await gql(TEST, { phoneNumber: FAILING_NUMBER });
    expect(failedTest.errors?.[0]?.extensions.code).toBe('SEND_FAILED');
  });

  it('UNAUTHENTICATED without a token or with a wrong one', async () => {
    for (const token of ['', 'wrong-token-wrong-token']) {
      const res = await seedClient(t.bridge.url, token)(CHECK_STATUS);
      expect(res.status).toBe(401);
      expect(res.errors).toEqual([{ message: 'missing or invalid token', extensions: { code: 'UNAUTHENTICATED' } }]);
    }
  });
});

describe('seed 001: QR_EXPIRED', () => {
  let t: TestBridge;
  beforeAll(async () => {
    // Nobody scans: the QR refreshes quickly and the slot gives up after two codes.
    const neverScanned = createDemoEngineFactory({ scanMs: 3_600_000, qrRefreshMs: 400 });
    t = await startBridge({ slots: 1, qrMaxRefreshes: 1 }, { engineFactory: neverScanned });
  });
  afterAll(() => t.stop());

  it('the status reports QR_EXPIRED on the QR fields once the code expired; connecting again gives a new one', async () => {
    const gql = seedClient(t.bridge.url, t.token);
    await gql(CONNECT);
    const expired = await waitFor(async () => {
      const res = await gql(STATUS);
      return res.errors ? res : null;
    }, 5000, 'QR_EXPIRED');
    expect(expired.data).toEqual({ whatsAppStatus: { connected: false, qrCode: null, qrCodeSvg: null } });
    expect(expired.errors!.map((e) => [e.path, e.extensions.code])).toEqual([
      [['whatsAppStatus', 'qrCode'], 'QR_EXPIRED'],
      [['whatsAppStatus', 'qrCodeSvg'], 'QR_EXPIRED'],
    ]);
    // Connecting again starts over with a fresh code (it, too, expires unscanned moments later).
    await gql(CONNECT);
    const fresh = await waitFor(async () => {
      const res = await gql(STATUS);
      return (res.data?.whatsAppStatus as { qrCode: string | null } | undefined)?.qrCode ? res : null;
    }, 5000, 'a fresh QR');
    expect(fresh.errors).toBeUndefined();
  });
});
