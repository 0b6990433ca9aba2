// The whatsapp-web.js engine on its own (no bridge) against the WhatsApp Web simulator in
// Debian's Chromium: login flow, every send path, events, crash/hang/kill detection, clean stop,
// restore without QR, logout from the phone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../bridge/config.js';
import { isAlive, listProcesses, sweepOrphanBrowsers, treeOf } from '../../bridge/engine/chromium/index.js';
import type { EngineEvent } from '../../bridge/engine/types.js';
import { WwebjsEngine } from '../../bridge/engine/wwebjs/index.js';
import { simForSlot, type SimControl } from '../wa-sim/control.js';
import { prepareSimulatorCache } from '../wa-sim/index.js';

const PEER = '962781523783';
const PEER_ID = `${PEER}@c.us`;
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');

let root: string;
let dataDir: string;
let config: ReturnType<typeof loadConfig>;
const logger = pino({ level: process.env.E2E_LOG ?? 'silent' });

/** One engine plus the events it emitted, with a way to wait for a particular one. */
function harness(slot: number) {
  const events: EngineEvent[] = [];
  const waiters: Array<{ pred: (e: EngineEvent) => boolean; resolve: (e: EngineEvent) => void }> = [];
  const slotDir = path.join(dataDir, 'slots', `slot-${slot}`);
  fs.mkdirSync(slotDir, { recursive: true });
  const engine = new WwebjsEngine(
    {
      slot,
      slotDir,
      dataDir,
      logger,
      emit: (e) => {
        events.push(e);
        for (const w of waiters.splice(0)) {
          if (w.pred(e)) w.resolve(e);
          else waiters.push(w);
        }
      },
    },
    config,
  );
  const next = <T extends EngineEvent['type']>(type: T, pred: (e: Extract<EngineEvent, { type: T }>) => boolean = () => true, timeoutMs = 30_000) => {
    const match = (e: EngineEvent) => e.type === type && pred(e as Extract<EngineEvent, { type: T }>);
    const seen = events.find(match);
    if (seen) return Promise.resolve(seen as Extract<EngineEvent, { type: T }>);
    return new Promise<Extract<EngineEvent, { type: T }>>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${type} event within ${timeoutMs} ms; got ${events.map((x) => x.type).join(',')}`)), timeoutMs);
      waiters.push({
        pred: match,
        resolve: (e) => {
          clearTimeout(t);
          resolve(e as Extract<EngineEvent, { type: T }>);
        },
      });
    });
  };
  return { engine, events, next, clear: () => events.splice(0) };
}

async function browserTree(pid: number) {
  return treeOf(pid, await listProcesses());
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'wab-engine-e2e-'));
  dataDir = path.join(root, 'data');
  const cache = prepareSimulatorCache(path.join(root, 'web-cache'), { qrIntervalMs: 2000 });
  config = loadConfig({}, { dataDir, engine: 'wwebjs', chromePath: '/usr/bin/chromium', webVersion: cache.webVersion, webCacheDir: cache.webCacheDir });
});

afterAll(async () => {
  // A failed test may leave a browser running: kill what carries this run's data dir.
  await sweepOrphanBrowsers(dataDir, logger);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('wwebjs engine on the simulator', () => {
  const h = () => shared!;
  let shared: ReturnType<typeof harness> | null = null;
  let sim: SimControl;

  it('starts, shows a QR, pairs on scan and becomes ready', async () => {
    shared = harness(1);
    await h().engine.start();
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, 'slots', 'slot-1', 'browser.json'), 'utf8'));
    expect(info.pid).toBe(h().engine.processInfo().pid);
    expect(info.wsEndpoint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\//);
    const cmd = (await listProcesses()).find((p) => p.pid === info.pid)!;
    expect(cmd.argv).toContain('--wa-bridge-slot=1');
    expect(cmd.argv).toContain(`--user-data-dir=${path.join(dataDir, 'sessions', 'session-slot-1')}`);

    const qr = await h().next('qr');
    expect(qr.qr.split(',').length).toBeGreaterThanOrEqual(5);
    sim = await simForSlot(dataDir, 1);
    await sim.scanQr({ phone: '15550001111', pushname: 'Slot One' });
    await h().next('authenticated');
    const ready = await h().next('ready');
    expect(ready).toEqual({ type: 'ready', phone: '15550001111', name: 'Slot One' });
    expect(await h().engine.getState()).toBe('CONNECTED');
    const mem = h().engine.processInfo();
    expect(mem.pssBytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(mem.rssBytes).toBeGreaterThan(mem.pssBytes!);
  });

  it('sends text, media, a voice note and a poll, each with a serialized id', async () => {
    const { engine } = h();
    expect(await engine.resolvePhone(PEER)).toBe(PEER_ID);
    await sim.setRegistered('15550009999', false);
    expect(await engine.resolvePhone('15550009999')).toBeNull();

    const text = await engine.sendText(PEER_ID, 'Hello from the bridge');
    expect(text).toMatchObject({ chatId: PEER_ID, body: 'Hello from the bridge', fromMe: 1, type: 'chat', hasMedia: 0, senderName: 'Me' });
    expect(text.id).toMatch(/^true_962781523783@c\.us_[0-9A-F]+$/);

    const image = await engine.sendMedia(PEER_ID, { base64: PNG, mimetype: 'image/png', filename: 'a.png', caption: 'a caption' });
    expect(image).toMatchObject({ type: 'image', hasMedia: 1, body: 'a caption', caption: 'a caption' });

    const voice = await engine.sendMedia(PEER_ID, { base64: Buffer.from('OggS0000').toString('base64'), mimetype: 'audio/ogg; codecs=opus', asVoice: true });
    expect(voice.type).toBe('ptt');

    const doc = await engine.sendMedia(PEER_ID, { base64: Buffer.from('%PDF-1.4').toString('base64'), mimetype: 'application/pdf', filename: 'offer.pdf' });
    expect(doc).toMatchObject({ type: 'document', hasMedia: 1, filename: 'offer.pdf' });

    const poll = await engine.sendPoll(PEER_ID, { question: 'Which?', options: ['Node.js', 'Python', 'Golang'], allowMultiple: false });
    expect(poll).toMatchObject({ type: 'poll', body: 'Which?', pollOptions: ['Node.js', 'Python', 'Golang'] });

    for (const m of [text, image, voice, doc, poll]) expect(m.id.startsWith('true_')).toBe(true);
    // The library also reports our own sends (message_create): once each.
    await h().next('message', (e) => e.message.id === poll.id);
    expect(h().events.filter((e) => e.type === 'message' && e.message.id === text.id).length).toBe(1);
    (globalThis as Record<string, unknown>).__poll = poll.id;
    (globalThis as Record<string, unknown>).__text = text.id;
  });

  it('reports acks as 2→3→4, a vote as poll_vote, and an incoming message once', async () => {
    const textId = (globalThis as Record<string, unknown>).__text as string;
    const pollId = (globalThis as Record<string, unknown>).__poll as string;
    // The simulated server acknowledges by itself (WhatsApp ack 1 = API 2); the phone does the rest.
    await h().next('message_ack', (e) => e.update.messageId === textId && e.update.ack === 2);
    await sim.advanceAck(textId, 2);
    await sim.advanceAck(textId, 3);
    await h().next('message_ack', (e) => e.update.messageId === textId && e.update.ack === 4);
    const acks = h()
      .events.filter((e) => e.type === 'message_ack' && e.update.messageId === textId)
      .map((e) => (e as Extract<EngineEvent, { type: 'message_ack' }>).update.ack);
    expect(acks.filter((a) => a >= 2)).toEqual([2, 3, 4]);

    await sim.castVote({ pollId, voter: PEER, selectedOptions: ['Python'] });
    const vote = await h().next('poll_vote');
    expect(vote.vote).toMatchObject({ chatId: PEER_ID, messageId: pollId, voter: PEER_ID, selectedOptions: ['Python'] });

    const inId = await sim.deliverMessage({ from: PEER, body: 'Hi there!', notifyName: 'Omar' });
    const got = await h().next('message', (e) => e.message.id === inId);
    expect(got.message).toMatchObject({ chatId: PEER_ID, body: 'Hi there!', fromMe: 0, senderName: 'Omar', type: 'chat' });
    await h().next('chat_update', (e) => e.chat.chatId === PEER_ID && e.chat.unreadCount > 0);
    expect(h().events.filter((e) => e.type === 'message' && e.message.id === inId).length).toBe(1);

    await sim.editMessage(inId, 'Hi there! (edited)');
    const edit = await h().next('message_edit', (e) => e.messageId === inId);
    expect(edit).toMatchObject({ chatId: PEER_ID, body: 'Hi there! (edited)' });
    const doomed = await sim.deliverMessage({ from: PEER, body: 'oops', notifyName: 'Omar' });
    await h().next('message', (e) => e.message.id === doomed);
    await sim.revokeMessage(doomed);
    const revoke = await h().next('message_revoke', (e) => e.messageId === doomed);
    expect(revoke.chatId).toBe(PEER_ID);
  });

  it('lists chats and messages, marks read, finds avatars, reads mutes itself', async () => {
    const { engine } = h();
    const chats = await engine.getChats(10);
    const chat = chats.find((c) => c.chatId === PEER_ID)!;
    expect(chat).toMatchObject({ isGroup: false, isMuted: false, muteExpiration: 0 });
    // The newest message was deleted for everyone: no preview text.
    expect(chat.lastMessage).toBeNull();

    const msgs = await engine.getMessages(PEER_ID, 3);
    expect(msgs.length).toBe(3);
    expect(msgs[0]!.type).toBe('revoked');
    expect(msgs[1]!.body).toBe('Hi there! (edited)');
    const older = await engine.getMessages(PEER_ID, 2, msgs[0]!.id);
    expect(older.map((m) => m.id)).toEqual(msgs.slice(1, 3).map((m) => m.id));

    await engine.markRead(PEER_ID);
    const state = await sim.chatState(PEER_ID);
    expect(state?.seenCount).toBeGreaterThan(0);
    expect((await engine.getChat(PEER_ID))?.unreadCount).toBe(0);

    await sim.setProfilePicture(PEER_ID, 'https://pps.whatsapp.net/v/t61/peer.jpg');
    expect(await engine.getAvatarUrl(PEER_ID)).toBe('https://pps.whatsapp.net/v/t61/peer.jpg');
    await sim.setProfilePicture(PEER_ID, null);
    expect(await engine.getAvatarUrl(PEER_ID)).toBeNull();

    const past = Math.floor(Date.now() / 1000) - 60;
    await sim.muteChat(PEER_ID, past);
    expect(await engine.getChat(PEER_ID)).toMatchObject({ isMuted: false, muteExpiration: past });
    await sim.muteChat(PEER_ID, -1);
    expect(await engine.getChat(PEER_ID)).toMatchObject({ isMuted: true, muteExpiration: -1 });
  });

  it('stops cleanly: the whole browser tree is gone and browser.json removed', async () => {
    const pid = h().engine.processInfo().pid!;
    const tree = await browserTree(pid);
    expect(tree.length).toBeGreaterThan(2);
    await sim.disconnect();
    await h().engine.stop();
    await h().engine.stop(); // idempotent
    for (const p of tree) expect(isAlive(p)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'slots', 'slot-1', 'browser.json'))).toBe(false);
    expect(h().events.some((e) => e.type === 'failure')).toBe(false);
  });

  it('restores the session after a restart without a QR', async () => {
    shared = harness(1);
    await h().engine.start();
    const ready = await h().next('ready');
    expect(ready.phone).toBe('15550001111');
    expect(h().events.some((e) => e.type === 'qr')).toBe(false);
    sim = await simForSlot(dataDir, 1);
  });

  it('a hung page leaves getState unanswered (the supervisor times it out)', async () => {
    void sim.hang(4000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const outcome = await Promise.race([
      h().engine.getState().then(() => 'answered'),
      new Promise((r) => setTimeout(() => r('timeout'), 2000)),
    ]);
    expect(outcome).toBe('timeout');
    await new Promise((r) => setTimeout(r, 4000));
    expect(await h().engine.getState()).toBe('CONNECTED');
  });

  it('kill -9 of the page renderer: the page is reloaded in the same browser, READY again without a QR', async () => {
    const pid = h().engine.processInfo().pid!;
    h().clear();
    const table = await listProcesses();
    const renderers = treeOf(pid, table)
      .map((p) => table.find((e) => e.pid === p))
      .filter((p) => p && /--type=renderer/.test(p.command) && !/--extension-process/.test(p.command))
      .map((p) => p!.pid);
    expect(renderers.length).toBeGreaterThan(0);
    for (const r of renderers) process.kill(r, 'SIGKILL');
    const recovering = await h().next('recovering');
    expect(recovering.reason).toMatch(/crash.*reloading the page/i);
    await h().next('ready', () => true, 60_000);
    expect(h().engine.processInfo().pid).toBe(pid); // no relaunch
    expect(h().events.map((e) => e.type)).not.toContain('qr');
    expect(h().events.map((e) => e.type)).not.toContain('failure');
    expect(await h().engine.getState()).toBe('CONNECTED');
  });

  it('a second page crash soon after is a failure for the supervisor (a crash loop ends in a relaunch)', async () => {
    sim = await simForSlot(dataDir, 1);
    await sim.crash();
    const failure = await h().next('failure');
    expect(failure.error).toMatch(/crash/i);
    await h().engine.stop();
  });

  it('kill -9 of the browser is reported as failure, and stop still cleans up', async () => {
    shared = harness(1);
    await h().engine.start();
    await h().next('ready');
    const pid = h().engine.processInfo().pid!;
    const tree = await browserTree(pid);
    process.kill(pid, 'SIGKILL');
    const failure = await h().next('failure');
    expect(failure.error).toMatch(/exited|connection/);
    await h().engine.stop();
    for (const p of tree) expect(isAlive(p)).toBe(false);
  });

  it('recovers a profile lock left by a killed bridge (orphaned browser of ours)', async () => {
    shared = harness(1);
    await h().engine.start();
    await h().next('ready');
    const orphanPid = h().engine.processInfo().pid!;
    const orphanTree = await browserTree(orphanPid);
    // A second engine on the same slot, as after a bridge crash: the old browser still holds the lock.
    const second = harness(1);
    await second.engine.start();
    for (const p of orphanTree) expect(isAlive(p)).toBe(false);
    await second.next('ready');
    await second.engine.stop();
    await h().engine.stop();
  });

  it('a stop during start wins (before, during and after the launch): start rejects, no browser is left', async () => {
    const profile = path.join(dataDir, 'sessions', 'session-slot-1');
    for (const delayMs of [0, 150, 400, 900]) {
      shared = harness(1);
      const starting = h()
        .engine.start()
        .then(
          () => 'started',
          (err: Error) => err.message,
        );
      await new Promise((r) => setTimeout(r, delayMs));
      await h().engine.stop();
      // Once stop() resolves nothing may run, not even a browser the start was launching.
      const left = (await listProcesses()).filter((p) => p.argv?.includes(`--user-data-dir=${profile}`));
      expect(left).toEqual([]);
      const outcome = await starting;
      // Very late stops may find the start finished; then stop() must still have closed it.
      if (outcome !== 'started') expect(outcome).toMatch(/^stopped/);
      expect(h().events.some((e) => e.type === 'failure')).toBe(false);
    }
  });

  it('logout from the phone ends the session; stop wipes the profile; next start shows a QR', async () => {
    shared = harness(1);
    await h().engine.start();
    await h().next('ready');
    sim = await simForSlot(dataDir, 1);
    await sim.logoutFromPhone();
    const d = await h().next('disconnected');
    expect(d.reason).toBe('LOGOUT');
    await sim.disconnect().catch(() => undefined);
    await h().engine.stop();
    expect(fs.existsSync(path.join(dataDir, 'sessions', 'session-slot-1'))).toBe(false);
    expect(h().events.some((e) => e.type === 'failure')).toBe(false);

    shared = harness(1);
    await h().engine.start();
    await h().next('qr');
    expect(h().events.some((e) => e.type === 'ready')).toBe(false);
    await h().engine.stop();
  });
});
