// An unmodified whatsapp-web.js Client driven against the WhatsApp Web simulator in Debian's
// Chromium — no bridge. Each test builds on the previous one (one account, one profile).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import puppeteer, { type Browser } from 'puppeteer-core';
import wwebjs from 'whatsapp-web.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRequire } from 'node:module';
import { prepareSimulatorCache, SIM_WEB_VERSION, TARGET_WWEBJS_VERSION, type SimulatorCache } from '../wa-sim/index.js';
import { connectSim, type SimControl } from '../wa-sim/control.js';

const { Client, LocalAuth, MessageMedia, Poll } = wwebjs;
type WClient = InstanceType<typeof Client>;

const CHROMIUM = process.env.CHROME_PATH || '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const CLIENT_ID = 'sim-e2e';
const ME = '15550001234';
const PEER = '962781523783';
const PEER_ID = `${PEER}@c.us`;

/** Every event the client emits, with a way to wait for the next one matching. */
class Recorder {
  readonly events: Array<{ name: string; args: unknown[] }> = [];
  private readonly bus = new EventEmitter();
  constructor(client: WClient) {
    const emit = client.emit.bind(client);
    // Listen to everything without changing the client's behaviour.
    client.emit = (name: string | symbol, ...args: unknown[]) => {
      if (typeof name === 'string') {
        this.events.push({ name, args });
        this.bus.emit('event', name, args);
      }
      return emit(name, ...args);
    };
  }
  count(name: string): number {
    return this.events.filter((e) => e.name === name).length;
  }
  waitFor<T extends unknown[]>(name: string, pred: (...args: T) => boolean = () => true, timeoutMs = 20_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.bus.off('event', on);
        reject(new Error(`no "${name}" event within ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (n: string, args: unknown[]) => {
        if (n !== name || !pred(...(args as T))) return;
        clearTimeout(timer);
        this.bus.off('event', on);
        resolve(args as T);
      };
      this.bus.on('event', on);
    });
  }
}

interface Session {
  browser: Browser;
  client: WClient;
  rec: Recorder;
  sim: SimControl;
}

let root: string;
let cache: SimulatorCache;
let dataPath: string;

async function startSession(authDir: string = dataPath): Promise<Session> {
  const profile = path.join(authDir, `session-${CLIENT_ID}`);
  fs.mkdirSync(profile, { recursive: true });
  // The caller owns Chromium (as the bridge does) and hands the library its DevTools endpoint.
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, userDataDir: profile, args: FLAGS });
  const client = new Client({
    authStrategy: new LocalAuth({ clientId: CLIENT_ID, dataPath: authDir }),
    puppeteer: { browserWSEndpoint: browser.wsEndpoint() },
    webVersion: cache.webVersion,
    webVersionCache: { type: 'local', path: cache.webCacheDir },
  });
  const rec = new Recorder(client);
  client.initialize().catch(() => undefined); // failures show up as missing events
  const sim = await connectSim(browser.wsEndpoint());
  return { browser, client, rec, sim };
}

async function stopSession(s: Session | undefined): Promise<void> {
  if (!s) return;
  await s.sim.disconnect().catch(() => undefined);
  await s.client.destroy().catch(() => undefined);
  await s.browser.close().catch(() => undefined);
}

const tinyPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
).toString('base64');

const installed = (createRequire(import.meta.url)('whatsapp-web.js/package.json') as { version: string }).version;

describe(`whatsapp-web.js ${installed} against wa-sim`, () => {
  let s: Session;
  let sentTextId: string;
  let pollId: string;

  beforeAll(() => {
    // The simulator implements one release's page contract; a different release needs a re-check.
    expect(installed).toBe(TARGET_WWEBJS_VERSION);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-sim-e2e-'));
    cache = prepareSimulatorCache(path.join(root, 'web-cache'), { qrIntervalMs: 1500, recentPerChat: 3 });
    dataPath = path.join(root, 'auth');
  });

  afterAll(async () => {
    await stopSession(s);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('start → qr (refreshing) → scan → authenticated → ready', async () => {
    expect(fs.existsSync(path.join(cache.webCacheDir, `${SIM_WEB_VERSION}.html`))).toBe(true);
    s = await startSession();
    const [firstQr] = await s.rec.waitFor<[string]>('qr');
    expect(firstQr.split(',')).toHaveLength(5);
    const [secondQr] = await s.rec.waitFor<[string]>('qr', (qr) => qr !== firstQr);
    expect(secondQr.split(',')[0]).not.toBe(firstQr.split(',')[0]);
    // The keys part of the QR stays; only the ref changes.
    expect(secondQr.split(',').slice(1)).toEqual(firstQr.split(',').slice(1));

    // A stale QR is refused, as a phone would.
    await expect(s.sim.scanQr({ phone: ME, qr: firstQr })).rejects.toThrow(/QR expired/);
    const ready = s.rec.waitFor('ready');
    const authenticated = s.rec.waitFor('authenticated');
    const current = (await s.sim.state()).qr!;
    expect(await s.sim.scanQr({ phone: ME, pushname: 'Sim Owner', qr: current })).toBe(`${ME}@c.us`);
    await authenticated;
    await ready;
    expect(s.rec.events.findIndex((e) => e.name === 'authenticated')).toBeLessThan(s.rec.events.findIndex((e) => e.name === 'ready'));
    expect(s.client.info.wid._serialized).toBe(`${ME}@c.us`);
    expect(s.client.info.pushname).toBe('Sim Owner');
    expect(await s.client.getState()).toBe('CONNECTED');
    expect(await s.client.getWWebVersion()).toBe(SIM_WEB_VERSION);
  });

  test('send text: a Message with a serialized id, message_create, acks 1 → 2 → 3', async () => {
    const created = s.rec.waitFor<[wwebjs.Message]>('message_create', (m) => m.body === 'Hello from the test');
    const msg = await s.client.sendMessage(PEER_ID, 'Hello from the test');
    sentTextId = msg.id._serialized;
    expect(sentTextId).toMatch(new RegExp(`^true_${PEER}@c\\.us_3EB0[0-9A-F]{16}$`));
    expect(msg.fromMe).toBe(true);
    expect(msg.type).toBe('chat');
    expect(msg.to).toBe(PEER_ID);
    expect(msg.from).toBe(`${ME}@c.us`);
    expect((await created)[0].id._serialized).toBe(sentTextId);

    await s.rec.waitFor<[wwebjs.Message, number]>('message_ack', (m, ack) => m.id._serialized === sentTextId && ack === 1);
    for (const ack of [2, 3]) {
      const seen = s.rec.waitFor<[wwebjs.Message, number]>('message_ack', (m, a) => m.id._serialized === sentTextId && a === ack);
      await s.sim.advanceAck(sentTextId, ack);
      await seen;
    }
    await expect(s.sim.advanceAck(sentTextId, 9)).rejects.toThrow(/ack must be/);
  });

  test('send media: image with caption, document, voice note (sendAudioAsVoice)', async () => {
    const image = await s.client.sendMessage(PEER_ID, new MessageMedia('image/png', tinyPng, 'dot.png'), { caption: 'a dot' });
    expect(image.type).toBe('image');
    expect(image.hasMedia).toBe(true);
    expect(image.body).toBe('a dot');
    const onServer = await s.sim.getMessage(image.id._serialized);
    expect((onServer!.media as { data: string }).data).toBe(tinyPng);
    const downloaded = await image.downloadMedia();
    expect(downloaded.mimetype).toBe('image/png');
    expect(downloaded.data).toBe(tinyPng);

    const pdf = Buffer.from('%PDF-1.4\n%sim\n').toString('base64');
    const doc = await s.client.sendMessage(PEER_ID, new MessageMedia('application/pdf', pdf, 'report.pdf'));
    expect(doc.type).toBe('document');
    expect((await s.sim.getMessage(doc.id._serialized))!.filename).toBe('report.pdf');

    const ogg = Buffer.from('OggS\0sim-voice').toString('base64');
    const voice = await s.client.sendMessage(PEER_ID, new MessageMedia('audio/ogg; codecs=opus', ogg, 'voice.ogg'), { sendAudioAsVoice: true });
    expect(voice.type).toBe('ptt');
    expect(voice.id._serialized).toMatch(/^true_/);
    const mp3 = await s.client.sendMessage(PEER_ID, new MessageMedia('audio/mpeg', Buffer.from('ID3sim').toString('base64'), 'song.mp3'));
    expect(mp3.type).toBe('audio');
  });

  test('send a poll; a vote arrives as vote_update with option names', async () => {
    const poll = await s.client.sendMessage(PEER_ID, new Poll('Best runtime?', ['Node.js', 'Python', 'Golang']));
    pollId = poll.id._serialized;
    expect(poll.type).toBe('poll_creation');
    expect(poll.pollName).toBe('Best runtime?');
    expect((poll.pollOptions as unknown as Array<{ name: string }>).map((o) => o.name)).toEqual(['Node.js', 'Python', 'Golang']);

    const voted = s.rec.waitFor<[wwebjs.PollVote]>('vote_update');
    await s.sim.castVote({ pollId, voter: PEER, selectedOptions: ['Golang'] });
    const [vote] = await voted;
    expect(vote.voter).toBe(PEER_ID);
    expect(vote.selectedOptions).toEqual([{ name: 'Golang', localId: 2 }]);
    expect(vote.parentMessage.id._serialized).toBe(pollId);
    expect(typeof vote.interractedAtTs).toBe('number');
    await expect(s.sim.castVote({ pollId, voter: PEER, selectedOptions: ['Rust'] })).rejects.toThrow(/no such poll option/);
    await expect(s.sim.castVote({ pollId, voter: PEER, selectedOptions: ['Python', 'Golang'] })).rejects.toThrow(/single-choice/);
    const votes = await s.client.getPollVotes(pollId);
    expect(votes.map((v: wwebjs.PollVote) => v.selectedOptions.map((o) => o.name))).toEqual([['Golang']]);
  });

  test('incoming message: message and message_create with a false_… id', async () => {
    const received = s.rec.waitFor<[wwebjs.Message]>('message', (m) => m.body === 'Hi there!');
    const created = s.rec.waitFor<[wwebjs.Message]>('message_create', (m) => m.body === 'Hi there!');
    const id = await s.sim.deliverMessage({ from: PEER, body: 'Hi there!', notifyName: 'Rami' });
    expect(id).toMatch(new RegExp(`^false_${PEER}@c\\.us_[0-9A-F]{32}$`));
    const [msg] = await received;
    await created;
    expect(msg.id._serialized).toBe(id);
    expect(msg.fromMe).toBe(false);
    expect(msg.from).toBe(PEER_ID);
    expect(msg.to).toBe(`${ME}@c.us`);
    expect((msg as unknown as { _data: { notifyName: string } })._data.notifyName).toBe('Rami');

    const reply = await msg.reply('Answer to you');
    expect(reply.hasQuotedMsg).toBe(true);
    expect((await reply.getQuotedMessage()).id._serialized).toBe(id);
    const fetched = await s.client.getMessageById(id);
    expect(fetched?.body).toBe('Hi there!');

    const photo = s.rec.waitFor<[wwebjs.Message]>('message', (m) => m.type === 'image');
    await s.sim.deliverMessage({ from: PEER, media: { mimetype: 'image/png', data: tinyPng }, caption: 'look' });
    const [img] = await photo;
    expect(img.hasMedia).toBe(true);
    expect((await img.downloadMedia()).data).toBe(tinyPng);

    const group = s.rec.waitFor<[wwebjs.Message]>('message', (m) => m.from === '120363000000000001@g.us');
    await s.sim.deliverMessage({ chatId: '120363000000000001@g.us', from: PEER, author: PEER, body: 'group hello', groupName: 'Team' });
    const [g] = await group;
    expect(g.author).toBe(PEER_ID);
    expect(g.id._serialized).toMatch(new RegExp(`^false_120363000000000001@g\\.us_[0-9A-F]{32}_${PEER}@c\\.us$`));

    const edited = s.rec.waitFor<[wwebjs.Message, string, string]>('message_edit');
    await s.sim.editMessage(id, 'Hi there! (edited)');
    const [, newBody, prevBody] = await edited;
    expect([newBody, prevBody]).toEqual(['Hi there! (edited)', 'Hi there!']);
    await s.sim.editMessage(id, 'Hi there!');

    const revoked = s.rec.waitFor<[wwebjs.Message]>('message_revoke_everyone');
    const doomed = await s.sim.deliverMessage({ from: PEER, body: 'oops' });
    await s.sim.revokeMessage(doomed);
    const [gone] = await revoked;
    expect(gone.id._serialized).toBe(doomed);
    expect(gone.type).toBe('revoked');

    await expect(s.sim.deliverMessage({ from: PEER })).rejects.toThrow(/body/);
    await expect(s.sim.deliverMessage({ from: 'not-a-number', body: 'x' })).rejects.toThrow(/invalid wid/);
  });

  test('getChats, fetchMessages, mute state, sendSeen', async () => {
    const chats = await s.client.getChats();
    const chat = chats.find((c) => c.id._serialized === PEER_ID)!;
    expect(chat).toBeDefined();
    expect(chat.isGroup).toBe(false);
    expect(chat.name).toBe('Rami');
    expect(chat.unreadCount).toBe(2); // the reply marked the chat read; two arrived since
    expect(chat.isMuted).toBe(false);
    expect(chat.muteExpiration).toBe(0);
    expect(chat.lastMessage?.type).toBe('revoked');
    const groupChat = chats.find((c) => c.id._serialized === '120363000000000001@g.us')!;
    expect(groupChat.isGroup).toBe(true);
    expect(groupChat.name).toBe('Team');

    const msgs = await chat.fetchMessages({ limit: 50 });
    expect(msgs.map((m) => m.type)).toEqual(['chat', 'image', 'document', 'ptt', 'audio', 'poll_creation', 'chat', 'chat', 'image', 'revoked']);
    expect(msgs[0]!.id._serialized).toBe(sentTextId);
    expect(msgs[0]!.ack).toBe(3);
    // With a limit the library keeps the newest by timestamp (seconds: ties are in any order).
    expect(await chat.fetchMessages({ limit: 2 })).toHaveLength(2);
    expect((await chat.fetchMessages({ fromMe: false })).every((m) => !m.fromMe)).toBe(true);

    const until = Math.floor(Date.now() / 1000) + 3600;
    await s.sim.muteChat(PEER_ID, until);
    const muted = await s.client.getChatById(PEER_ID);
    expect(muted.isMuted).toBe(true);
    expect(muted.muteExpiration).toBe(until);
    await s.sim.muteChat(PEER_ID, -1);
    expect((await s.client.getChatById(PEER_ID)).muteExpiration).toBe(-1);
    expect(await s.client.unmuteChat(PEER_ID)).toEqual({ isMuted: false, muteExpiration: 0 });

    const before = (await s.sim.chatState(PEER_ID))!;
    const unread = s.rec.waitFor<[wwebjs.Chat]>('unread_count', (c) => c.id._serialized === PEER_ID && c.unreadCount === 0);
    expect(await s.client.sendSeen(PEER_ID)).toBe(true);
    await unread;
    const after = (await s.sim.chatState(PEER_ID))!;
    expect(after.seenCount).toBe(before.seenCount + 1);
    expect(after.unreadCount).toBe(0);
  });

  test('getProfilePicUrl, getNumberId, getContactById', async () => {
    expect(await s.client.getProfilePicUrl(PEER_ID)).toMatch(/^https:\/\/pps\.whatsapp\.net\//);
    await s.sim.setProfilePicture(PEER_ID, 'https://pps.whatsapp.net/v/custom.jpg');
    expect(await s.client.getProfilePicUrl(PEER_ID)).toBe('https://pps.whatsapp.net/v/custom.jpg');
    await s.sim.setProfilePicture(PEER_ID, null);
    expect(await s.client.getProfilePicUrl(PEER_ID)).toBeUndefined();

    expect(await s.client.getNumberId(PEER)).toEqual({ server: 'c.us', user: PEER, _serialized: PEER_ID });
    await s.sim.setRegistered('12025550000', false);
    expect(await s.client.getNumberId('12025550000')).toBeNull();
    expect(await s.client.isRegisteredUser('12025550000')).toBe(false);

    const contact = await s.client.getContactById(PEER_ID);
    expect(contact.pushname).toBe('Rami');
    expect(contact.number).toBe(PEER);
    expect(contact.isMe).toBe(false);
    const stranger = await s.client.getContactById('447700900123@c.us');
    expect(stranger.number).toBe('447700900123');
    expect(stranger.pushname).toBeUndefined();
  });

  test('chat actions: muteChat, archive, pin, mark unread, own vote, presence, number helpers', async () => {
    const muted = await s.client.muteChat(PEER_ID, new Date(Date.now() + 60_000));
    expect(muted.isMuted).toBe(true);
    expect((await s.sim.chatState(PEER_ID))!.muteExpiration).toBe(muted.muteExpiration);
    await s.client.unmuteChat(PEER_ID);
    expect(await s.client.archiveChat(PEER_ID)).toBe(true);
    expect((await s.client.getChatById(PEER_ID)).archived).toBe(true);
    await s.client.unarchiveChat(PEER_ID);
    expect(await s.client.pinChat(PEER_ID)).toBe(true);
    expect((await s.client.getChatById(PEER_ID)).pinned).toBe(true);
    await s.client.markChatUnread(PEER_ID);
    expect((await s.client.getChatById(PEER_ID)).unreadCount).toBe(-1);

    const poll = (await s.client.getMessageById(pollId))!;
    const mine = s.rec.waitFor<[wwebjs.PollVote]>('vote_update', (v) => v.voter === `${ME}@c.us`);
    await poll.vote(['Python']);
    expect((await mine)[0].selectedOptions.map((o) => o.name)).toEqual(['Python']);

    expect(await s.client.getFormattedNumber(PEER)).toBe(`+${PEER}`);
    expect(await s.client.getCountryCode(PEER)).toBe('962');
    expect(await s.client.getCountryCode('12025550100')).toBe('1');
    await s.client.sendPresenceAvailable();
    await (await s.client.getChatById(PEER_ID)).sendStateTyping();
    expect((await s.sim.modules()).missing).toEqual([]);
  });

  test('a restart with the same profile restores the session without a QR', async () => {
    await stopSession(s);
    s = await startSession();
    await s.rec.waitFor('ready', () => true, 30_000);
    expect(s.rec.count('qr')).toBe(0);
    expect(s.rec.count('authenticated')).toBe(1);
    expect(s.client.info.wid._serialized).toBe(`${ME}@c.us`);
    const chat = await s.client.getChatById(PEER_ID);
    // Only the newest 3 are loaded after a restart (recentPerChat); the rest via loadEarlierMsgs.
    expect(await chat.fetchMessages({})).toHaveLength(3);
    const msgs = await chat.fetchMessages({ limit: 50 });
    expect(msgs).toHaveLength(10);
    expect(msgs.map((m) => m.id._serialized)).toContain(sentTextId);
    expect(msgs.map((m) => m.id._serialized)).toContain(pollId);
    // Acks still flow for messages sent before the restart.
    const ack = s.rec.waitFor<[wwebjs.Message, number]>('message_ack', (m, a) => m.id._serialized === sentTextId && a === 4);
    await s.sim.advanceAck(sentTextId, 4);
    await ack;
  });

  test('a hung page never answers getState; it answers again afterwards', async () => {
    await s.sim.hang(3000);
    await new Promise((r) => setTimeout(r, 100));
    const probe = s.client.getState();
    const outcome = await Promise.race([probe.then(() => 'answered'), new Promise((r) => setTimeout(() => r('timeout'), 1500))]);
    expect(outcome).toBe('timeout');
    expect(await probe).toBe('CONNECTED');
  });

  test('logout from the phone: disconnected LOGOUT, a new QR, pairs again', async () => {
    const disconnected = s.rec.waitFor<[string]>('disconnected');
    const qrAgain = s.rec.waitFor<[string]>('qr', () => true, 30_000);
    await s.sim.logoutFromPhone();
    expect((await disconnected)[0]).toBe('LOGOUT');
    await qrAgain;
    expect((await s.sim.state()).paired).toBe(false);
    // The page comes back unpaired and can be paired again.
    const ready = s.rec.waitFor('ready', () => true, 30_000);
    await s.sim.scanQr({ phone: ME });
    await ready;
    expect((await s.client.getChats()).length).toBe(0);
  });

  test('client.logout(): the next start shows a QR', async () => {
    await s.client.logout();
    // (LocalAuth deletes the profile folder, but Chromium may still write to it while exiting:
    // what must hold is that the pairing is gone.)
    await stopSession(s);
    s = await startSession();
    await s.rec.waitFor('qr');
    expect(s.rec.count('ready')).toBe(0);
  });

  test('a page crash reaches the library page as an error event', async () => {
    const crashed = new Promise<Error>((resolve) => s.client.pupPage!.once('error', resolve));
    await s.sim.crash();
    expect((await crashed).message).toMatch(/crash/i);
    // The library's calls on a crashed page never settle: the caller needs its own timeout.
    const outcome = await Promise.race([
      s.client.getState().then(() => 'answered', () => 'rejected'),
      new Promise((r) => setTimeout(() => r('timeout'), 3000)),
    ]);
    expect(outcome).not.toBe('answered');
  });
});

describe('six clients at once (one Chromium each), as the bridge runs them', () => {
  const sessions: Session[] = [];
  let sixRoot: string;

  afterAll(async () => {
    await Promise.all(sessions.map((x) => stopSession(x)));
    fs.rmSync(sixRoot, { recursive: true, force: true });
  });

  test('all six pair, send with ids and receive, each in its own account', async () => {
    sixRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-sim-six-'));
    cache = prepareSimulatorCache(path.join(sixRoot, 'web-cache'));
    const slots = [1, 2, 3, 4, 5, 6];
    await Promise.all(
      slots.map(async (slot) => {
        const x = await startSession(path.join(sixRoot, `slot-${slot}`));
        sessions.push(x);
        const qr = (await x.rec.waitFor<[string]>('qr'))[0];
        const ready = x.rec.waitFor('ready');
        await x.sim.scanQr({ phone: `1555000000${slot}`, qr });
        await ready;
        const sent = await x.client.sendMessage(PEER_ID, `from slot ${slot}`);
        expect(sent.id._serialized).toMatch(/^true_962781523783@c\.us_3EB0/);
        const got = x.rec.waitFor<[wwebjs.Message]>('message');
        await x.sim.deliverMessage({ from: PEER, body: `to slot ${slot}` });
        expect((await got)[0].body).toBe(`to slot ${slot}`);
        expect(x.client.info.wid.user).toBe(`1555000000${slot}`);
      }),
    );
    // Accounts do not leak into each other: each chat holds only its own slot's two messages.
    for (const x of sessions) {
      const msgs = await (await x.client.getChatById(PEER_ID)).fetchMessages({});
      expect(msgs.map((m) => m.body)).toEqual([`from slot ${x.client.info.wid.user.slice(-1)}`, `to slot ${x.client.info.wid.user.slice(-1)}`]);
    }

    // The session opened elsewhere: the library reports CONFLICT and closes that browser.
    const last = sessions[sessions.length - 1]!;
    expect(last.rec.count('disconnected')).toBe(0);
    const gone = last.rec.waitFor<[string]>('disconnected');
    await last.sim.setSocketState('CONFLICT');
    expect((await gone)[0]).toBe('CONFLICT');
    await expect(sessions[0]!.sim.setSocketState('NONSENSE')).rejects.toThrow(/unknown socket state/);
  });
});
