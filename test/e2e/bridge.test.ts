// The bridge end to end with the real whatsapp-web.js engine and Debian's Chromium against the
// WhatsApp Web simulator, six slots at once: the issue 3 and issue 4 "Done when" lists.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { isAlive, killTree, listProcesses, sweepOrphanBrowsers } from '../../bridge/engine/chromium/index.js';
import { startBridge, tempDir, waitFor, WsClient, type Frame, type TestBridge } from '../helpers/bridge.js';
import { simForSlot, type SimControl } from '../wa-sim/control.js';
import { prepareSimulatorCache, type SimulatorCache } from '../wa-sim/index.js';

const SLOTS = 6;
const PEER = '962781523783';
const PEER_ID = `${PEER}@c.us`;
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
).toString('base64');
const root = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));

let cache: SimulatorCache;
const phoneOf = (slot: number) => `1555000200${slot}`;

function engineConfig(dataDir: string) {
  return {
    dataDir,
    engine: 'wwebjs' as const,
    slots: SLOTS,
    chromePath: '/usr/bin/chromium',
    webVersion: cache.webVersion,
    webCacheDir: cache.webCacheDir,
    reconnectDelayMs: 1000,
    watchdogIntervalMs: 2000,
    watchdogTimeoutMs: 3000,
  };
}

interface SlotRow {
  slot: number;
  active: boolean;
  ready: boolean;
  hasQrCache: boolean;
  state?: string;
}

async function slots(t: TestBridge): Promise<SlotRow[]> {
  return (await t.http.get('/api/slots').set('apikey', t.token).expect(200)).body as SlotRow[];
}

async function allReady(t: TestBridge, timeoutMs = 120_000) {
  await waitFor(async () => (await slots(t)).every((s) => s.ready), timeoutMs, `all ${SLOTS} slots READY`);
}

/** Slot browsers' pids from browser.json. */
function browserPid(dataDir: string, slot: number): number {
  return (JSON.parse(fs.readFileSync(path.join(dataDir, 'slots', `slot-${slot}`, 'browser.json'), 'utf8')) as { pid: number }).pid;
}

beforeAll(() => {
  cache = prepareSimulatorCache(path.join(tempDir('wab-bridge-e2e-cache-')), { qrIntervalMs: 5000 });
});

// The first page of an Ogg Opus file (OpusHead): enough for the bridge's MIME check.
const OGG_OPUS = 'T2dnUwACAAAAAAAAAAAAAAAAAAAAAAAAAAABE09wdXNIZWFkAQEAAAAAAAAAAAA=';

describe('bridge with six real slots on the simulator', () => {
  let dataDir: string;
  let t: TestBridge;
  let ws: WsClient;
  const sims = new Map<number, SimControl>();
  const sent = new Map<number, string>();

  beforeAll(async () => {
    dataDir = tempDir('wab-bridge-e2e-');
    t = await startBridge(engineConfig(dataDir));
    ws = await WsClient.open(t.bridge.url, t.token);
  });

  afterAll(async () => {
    ws?.close();
    for (const sim of sims.values()) await sim.disconnect().catch(() => undefined);
    await t?.stop();
    await sweepOrphanBrowsers(dataDir, pino({ level: 'silent' })); // after a failed test
  });

  it('shows a QR per slot, pairs each on scan, all six READY', async () => {
    for (let n = 1; n <= SLOTS; n++) await t.http.post('/api/connect').set('apikey', t.token).send({ slot: n }).expect(200);
    await Promise.all(
      Array.from({ length: SLOTS }, async (_, i) => {
        const n = i + 1;
        const frame = await ws.waitFrame((f) => f.type === 'qr' && f.slot === n, 120_000, `qr of slot ${n}`);
        expect(String(frame.qr)).toMatch(/^data:image\/png;base64,/);
        const qr = await t.http.get(`/api/slots/${n}/qr`).set('apikey', t.token).expect(200);
        expect(qr.body).toMatchObject({ success: true, slot: n, connected: false });
        expect(qr.body.qrCodeSvg).toMatch(/^<svg/);
        const sim = await simForSlot(dataDir, n, { timeoutMs: 60_000 });
        sims.set(n, sim);
        await sim.scanQr({ phone: phoneOf(n), pushname: `Slot ${n}` });
      }),
    );
    await allReady(t);
    const rows = await slots(t);
    expect(rows.map((r) => [r.slot, r.active, r.ready, r.hasQrCache])).toEqual(Array.from({ length: SLOTS }, (_, i) => [i + 1, true, true, false]));
  });

  it('sends text, media, voice note and poll on every slot, each with a WhatsApp id', async () => {
    await Promise.all(
      Array.from({ length: SLOTS }, async (_, i) => {
        const n = i + 1;
        const text = await t.http.post('/api/send').set('apikey', t.token).send({ slot: n, phone: `+${PEER}`, message: `hello from slot ${n}` }).expect(200);
        expect(text.body.messageId).toMatch(/^true_962781523783@c\.us_/);
        sent.set(n, text.body.messageId);
        const media = await t.http
          .post('/api/send-media')
          .set('apikey', t.token)
          .send({ slot: n, phone: PEER, base64: PNG, mimetype: 'image/png', filename: 'dot.png', caption: 'a dot' })
          .expect(200);
        expect(media.body.messageId).toMatch(/^true_/);
        const voice = await t.http
          .post('/api/send-media')
          .set('apikey', t.token)
          .send({ slot: n, phone: PEER, base64: OGG_OPUS, mimetype: 'audio/ogg; codecs=opus', filename: 'v.ogg' })
          .expect(200);
        const voiceMsg = await sims.get(n)!.getMessage(voice.body.messageId);
        expect(voiceMsg?.type).toBe('ptt');
        const poll = await t.http
          .post('/api/send-poll')
          .set('apikey', t.token)
          .send({ slot: n, phone: PEER, question: 'Preferred stack?', options: ['Node.js', 'Python', 'Golang'], allowMultiple: false })
          .expect(200);
        expect(poll.body.messageId).toMatch(/^true_/);
        sent.set(100 + n, poll.body.messageId);
      }),
    );
  });

  it('acks reach the WebSocket as 2→3→4; a vote arrives as poll_vote', async () => {
    await Promise.all(
      Array.from({ length: SLOTS }, async (_, i) => {
        const n = i + 1;
        const id = sent.get(n)!;
        const acks = (f: Frame) => f.type === 'message_ack' && f.slot === n && f.messageId === id;
        await ws.waitFrame((f) => acks(f) && f.ack === 2, 30_000, `ack 2 on slot ${n}`);
        await sims.get(n)!.advanceAck(id, 2);
        await ws.waitFrame((f) => acks(f) && f.ack === 3, 30_000, `ack 3 on slot ${n}`);
        await sims.get(n)!.advanceAck(id, 3);
        await ws.waitFrame((f) => acks(f) && f.ack === 4, 30_000, `ack 4 on slot ${n}`);
        expect(ws.frames.filter(acks).map((f) => f.ack)).toEqual([2, 3, 4]);

        const pollId = sent.get(100 + n)!;
        await sims.get(n)!.castVote({ pollId, voter: PEER, selectedOptions: ['Golang'] });
        const vote = await ws.waitFrame((f) => f.type === 'poll_vote' && f.slot === n, 30_000, `vote on slot ${n}`);
        expect(vote).toMatchObject({ chatId: PEER_ID, messageId: pollId, voter: PEER_ID, selectedOptions: ['Golang'] });
      }),
    );
  });

  it('an incoming message reaches the WebSocket and the archive; mark read; avatar', async () => {
    await Promise.all(
      Array.from({ length: SLOTS }, async (_, i) => {
        const n = i + 1;
        const sim = sims.get(n)!;
        const id = await sim.deliverMessage({ from: PEER, body: `incoming for slot ${n}`, notifyName: 'Omar' });
        const frame = await ws.waitFrame((f) => f.type === 'new_message' && f.slot === n && (f.message as { id: string }).id === id, 30_000);
        expect(frame.message).toMatchObject({ chatId: PEER_ID, body: `incoming for slot ${n}`, fromMe: 0, senderName: 'Omar' });
        const archived = await waitFor(async () => {
          const res = await t.http.get('/api/archive').query({ slot: n, chatId: PEER_ID, limit: 50 }).set('apikey', t.token).expect(200);
          return (res.body.data as Array<{ id: string }>).find((m) => m.id === id);
        }, 10_000, 'archived incoming message');
        expect(archived).toMatchObject({ body: `incoming for slot ${n}`, fromMe: 0, type: 'chat', hasMedia: 0 });

        await t.http.post('/api/mark-read').set('apikey', t.token).send({ slot: n, chatId: PEER_ID }).expect(200);
        expect((await sim.chatState(PEER_ID))?.unreadCount).toBe(0);
        expect((await sim.chatState(PEER_ID))?.seenCount).toBeGreaterThan(0);

        await sim.setProfilePicture(PEER_ID, `https://pps.whatsapp.net/v/slot${n}.jpg`);
        const avatar = await t.http.get('/api/avatar').query({ slot: n, phone: PEER }).set('apikey', t.token).expect(200);
        expect(avatar.body).toEqual({ success: true, avatarUrl: `https://pps.whatsapp.net/v/slot${n}.jpg` });
      }),
    );
  });

  it('kill -9 of one slot’s Chromium: READY again within 60 s, the other five never leave READY', async () => {
    const mark = ws.frames.length;
    const pid = browserPid(dataDir, 2);
    const t0 = Date.now();
    process.kill(pid, 'SIGKILL');
    await waitFor(() => ws.frames.slice(mark).find((f) => f.type === 'status' && f.slot === 2 && f.ready === false), 30_000, 'slot 2 down');
    await waitFor(async () => (await slots(t)).find((s) => s.slot === 2)?.ready, 60_000, 'slot 2 READY again');
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(browserPid(dataDir, 2)).not.toBe(pid);
    const others = ws.frames.slice(mark).filter((f) => f.type === 'status' && f.slot !== 2);
    expect(others).toEqual([]);
    expect((await slots(t)).every((s) => s.ready)).toBe(true);
    sims.set(2, await simForSlot(dataDir, 2));
  });

  it('a hung page is detected by the watchdog and restarted', async () => {
    const mark = ws.frames.length;
    const oldPid = browserPid(dataDir, 3);
    void sims.get(3)!.hang(60_000).catch(() => undefined);
    await waitFor(() => ws.frames.slice(mark).find((f) => f.type === 'status' && f.slot === 3 && f.ready === false), 30_000, 'hang detected');
    await waitFor(async () => (await slots(t)).find((s) => s.slot === 3)?.ready, 60_000, 'slot 3 READY again');
    expect(isAlive(oldPid)).toBe(false);
    const health = await t.http.get('/api/health').set('apikey', t.token).expect(200);
    type SlotHealth = { slot: number; restarts: number; lastError: string | null; pid: number | null; rssBytes: number | null; pssBytes: number | null };
    const h3 = (health.body.slots as SlotHealth[]).find((s) => s.slot === 3)!;
    expect(h3.restarts).toBeGreaterThanOrEqual(1);
    expect(h3.pid).toBe(browserPid(dataDir, 3));
    expect(h3.pssBytes).toBeGreaterThan(0);
    expect(h3.rssBytes).toBeGreaterThan(h3.pssBytes!);
    expect(ws.frames.slice(mark).filter((f) => f.type === 'status' && f.slot !== 3)).toEqual([]);
    await sims.get(3)!.disconnect().catch(() => undefined);
    sims.set(3, await simForSlot(dataDir, 3));
  });

  it('a bridge restart restores all six without a QR', async () => {
    for (const sim of sims.values()) await sim.disconnect().catch(() => undefined);
    sims.clear();
    ws.close();
    await t.stop();
    t = await startBridge(engineConfig(dataDir));
    ws = await WsClient.open(t.bridge.url, t.token);
    await allReady(t);
    expect(ws.frames.filter((f) => f.type === 'qr')).toEqual([]);
    for (let n = 1; n <= SLOTS; n++) sims.set(n, await simForSlot(dataDir, n));
  });

  it('logout from the phone leaves the slot waiting for a new QR', async () => {
    const mark = ws.frames.length;
    await sims.get(6)!.logoutFromPhone();
    const qr = await ws.waitFrame((f) => ws.frames.indexOf(f) >= mark && f.type === 'qr' && f.slot === 6, 60_000, 'new QR after logout');
    expect(String(qr.qr)).toMatch(/^data:image\/png;base64,/);
    const row = (await slots(t)).find((s) => s.slot === 6)!;
    expect(row).toMatchObject({ ready: false, hasQrCache: true });
    expect((await slots(t)).filter((s) => s.slot !== 6).every((s) => s.ready)).toBe(true);
  });
});

describe('kill -9 of the bridge with queued messages', () => {
  let dataDir: string;
  let child: ChildProcess | null = null;
  const token = 'e2e-admin-token-0123456789abcdef';

  /** The bridge as its own process (`node --import tsx bridge/main.ts`), as users run it. */
  async function spawnBridge(extraEnv: Record<string, string> = {}): Promise<string> {
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bridge', 'main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        WA_BRIDGE_DATA_DIR: dataDir,
        WA_BRIDGE_ADMIN_TOKEN: token,
        WA_BRIDGE_ENGINE: 'wwebjs',
        WA_BRIDGE_SLOTS: '2',
        CHROME_PATH: '/usr/bin/chromium',
        WA_BRIDGE_WEB_VERSION: cache.webVersion,
        WA_BRIDGE_WEB_CACHE_DIR: cache.webCacheDir,
        WA_BRIDGE_WATCHDOG_MS: '2000',
        WA_BRIDGE_WATCHDOG_TIMEOUT_MS: '3000',
        LOG_LEVEL: 'warn',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let err = '';
    proc.stderr!.on('data', (d) => (err += String(d)));
    return new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (d) => {
        out += String(d);
        const m = /admin app at http:\/\/localhost:(\d+)\//.exec(out);
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      });
      proc.once('exit', (code) => reject(new Error(`bridge exited with ${code}: ${err.slice(-2000)}`)));
    });
  }

  async function call(url: string, route: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${url}${route}`, {
      method: body ? 'POST' : 'GET',
      headers: { apikey: token, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const ready = async (url: string, slot: number) =>
    ((await call(url, '/api/slots')).body as unknown as SlotRow[]).find((s) => s.slot === slot)?.ready;

  beforeAll(() => {
    dataDir = tempDir('wab-bridge-kill-');
  });

  afterAll(async () => {
    if (child?.pid && child.exitCode === null) await killTree(child.pid).catch(() => undefined);
    await sweepOrphanBrowsers(dataDir, pino({ level: 'silent' }));
  });

  it('after a restart every queued message is sent exactly once; orphaned Chromium is swept', async () => {
    // First run: both slots paired; slot 2's reconnect pause is long so its messages must queue.
    let url = await spawnBridge({ WA_BRIDGE_RECONNECT_DELAY_MS: '600000' });
    for (const n of [1, 2]) expect((await call(url, '/api/connect', { slot: n })).status).toBe(200);
    for (const n of [1, 2]) {
      const sim = await simForSlot(dataDir, n, { timeoutMs: 60_000 });
      await sim.waitForQr({ timeoutMs: 60_000 });
      await sim.scanQr({ phone: phoneOf(n) });
      await sim.disconnect();
    }
    await waitFor(async () => (await ready(url, 1)) && (await ready(url, 2)), 60_000, 'two slots READY');

    const deadBrowser = browserPid(dataDir, 2);
    process.kill(deadBrowser, 'SIGKILL');
    await waitFor(async () => !(await ready(url, 2)), 30_000, 'slot 2 not ready');
    const bodies = Array.from({ length: 5 }, (_, i) => `queued message ${i + 1}`);
    const outboxIds: string[] = [];
    for (const message of bodies) {
      const res = await call(url, '/api/send', { slot: 2, phone: PEER, message, queue: true });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ success: true, queued: true });
      outboxIds.push(String(res.body.outboxId));
    }

    // kill -9 the bridge: no clean-up runs; slot 1's Chromium is left behind holding its profile.
    const orphan = browserPid(dataDir, 1);
    const bridgePid = child!.pid!;
    process.kill(bridgePid, 'SIGKILL');
    await waitFor(() => !isAlive(bridgePid), 10_000, 'bridge dead');
    expect(isAlive(orphan)).toBe(true);

    // Second run: the orphan is swept, both slots restore, the outbox drains once.
    url = await spawnBridge();
    expect(isAlive(orphan)).toBe(false);
    await waitFor(async () => (await ready(url, 1)) && (await ready(url, 2)), 90_000, 'slots restored');
    const sim = await simForSlot(dataDir, 2);
    const counts = await waitFor(async () => {
      const res = await call(url, `/api/archive?slot=2&chatId=${encodeURIComponent(PEER_ID)}&limit=100`);
      const rows = res.body.data as Array<{ body: string; fromMe: number }>;
      const c = bodies.map((b) => rows.filter((r) => r.body === b && r.fromMe === 1).length);
      return c.every((x) => x >= 1) ? c : null;
    }, 60_000, 'queued messages sent');
    // Give a duplicate time to show up before judging "exactly once".
    await new Promise((r) => setTimeout(r, 3000));
    const res = await call(url, `/api/archive?slot=2&chatId=${encodeURIComponent(PEER_ID)}&limit=100`);
    const rows = res.body.data as Array<{ id: string; body: string; fromMe: number; timestamp: number }>;
    expect(counts).toEqual([1, 1, 1, 1, 1]);
    expect(bodies.map((b) => rows.filter((r) => r.body === b && r.fromMe === 1).length)).toEqual([1, 1, 1, 1, 1]);
    // The simulated server holds each of them, and nothing else was sent to that chat.
    const sentRows = bodies.map((b) => rows.find((r) => r.body === b)!);
    for (const row of sentRows) expect(await sim.getMessage(row.id)).not.toBeNull();
    const chat = await sim.chatState(PEER_ID);
    expect(chat?.messages).toBe(bodies.length + 0);
    await sim.disconnect();
    expect((await listProcesses()).filter((p) => p.pid === orphan)).toEqual([]);
  });
});
