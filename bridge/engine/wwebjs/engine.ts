// The real engine: whatsapp-web.js driving WhatsApp Web in a Chromium this engine launches and
// owns (pid, process group, profile lock, kill). The library watches no crash of its own, so
// the engine reports browser exits, page crashes and lost connections as `failure` events.
import fs from 'node:fs';
import path from 'node:path';
import wweb from 'whatsapp-web.js';
import type { Chat, Client as WaClient, Message } from 'whatsapp-web.js';
import type { BridgeConfig } from '../../config.js';
import { BridgeError, ackFromWhatsApp, apiMessageRow, errorText, withTimeout, type ArchivedMessage, type ChatRow, type MessageRow } from '../../domain/index.js';
import {
  browserMissingMessage,
  clearBrowserFile,
  findBrowser,
  killTree,
  launchBrowser,
  launchPermits,
  slotBrowserArgs,
  splitArgs,
  treeMemory,
  type FindBrowserOptions,
  type LaunchedBrowser,
} from '../chromium/index.js';
import { MemorySampler } from '../chromium/portable-memory.js';
import { profileDirOf } from '../profile.js';
import type { DownloadedMedia, EngineContext, EngineProcessInfo, MediaInput, PollInput, SendOptions, WhatsAppEngine } from '../types.js';
import { toArchivedMessage, toChatRow, toPollVote, type WaChatLike, type WaMessageLike, type WaPollVoteLike } from './map.js';
import { RecentIds } from './recent.js';
import { embeddedThumbnail } from './thumbnail.js';

const { Client, LocalAuth, MessageMedia, Poll } = wweb;

export interface EngineOptions {
  /** Page load + injection deadline (the library's own goto waits forever). */
  initTimeoutMs: number;
  /** How long a polite close may take before the tree is SIGKILLed. */
  closeTimeoutMs: number;
  /** Overrides for browser resolution (tests); config's chromePath/bundledBrowserDir still apply. */
  find?: Omit<FindBrowserOptions, 'chromePath' | 'bundledDir'>;
}

const DEFAULTS: EngineOptions = { initTimeoutMs: 120_000, closeTimeoutMs: 10_000 };

/**
 * A crashed page is reloaded in the same browser (a second or two) instead of a relaunch; a
 * second crash within this window goes to the Slot's supervisor as a failure, so a crash loop
 * still ends in a relaunch and, repeated, in FAILED.
 */
const PAGE_RELOAD_SPACING_MS = 60_000;
/** How long a reloaded page may take to be READY (or show a QR) before the browser is relaunched. */
const PAGE_RELOAD_READY_MS = 60_000;

type Phase = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** Reasons after which the stored pairing is worthless: the profile is wiped on stop. */
const SESSION_GONE = /^(LOGOUT|UNPAIRED.*)$/;

export class WwebjsEngine implements WhatsAppEngine {
  readonly kind = 'wwebjs' as const;
  #phase: Phase = 'idle';
  #client: WaClient | null = null;
  #browser: LaunchedBrowser | null = null;
  readonly #memory = new MemorySampler();
  #stopping: Promise<void> | null = null;
  /** The session ended through the library (disconnected): a browser exit is expected now. */
  #ended = false;
  #failureSent = false;
  #wipeProfile = false;
  /** After a logout the library reloads the page and re-injects; closing mid-way rejects unhandled. */
  #settling: Promise<void> | null = null;
  #startWork: Promise<void> | null = null;
  readonly #seen = new RecentIds();
  /** Cluster mode's page dead-man switch, while armed. */
  #disarmPage: (() => void) | null = null;
  #lastPageReload = 0;
  readonly #timings: EngineOptions;

  constructor(
    private readonly ctx: EngineContext,
    private readonly config: BridgeConfig,
    opts: Partial<EngineOptions> = {},
  ) {
    this.#timings = { ...DEFAULTS, ...opts };
  }

  get sessionsDir(): string {
    return path.join(this.ctx.dataDir, 'sessions');
  }

  /** Where LocalAuth keeps this slot's Chromium profile (and with it the WhatsApp pairing). */
  get profileDir(): string {
    return profileDirOf(this.ctx.dataDir, this.ctx.slot);
  }

  start(): Promise<void> {
    if (this.#phase === 'starting' || this.#phase === 'running') return this.#startWork ?? Promise.resolve();
    const work = this.#start();
    this.#startWork = work;
    const forget = () => {
      if (this.#startWork === work) this.#startWork = null;
    };
    work.then(forget, forget);
    return work;
  }

  async #start(): Promise<void> {
    if (this.#stopping) await this.#stopping;
    // Bad flags fail before anything changes state.
    const args = slotBrowserArgs({ slot: this.ctx.slot, lowMemory: this.config.lowMemoryFlags, extra: splitArgs(this.config.chromiumArgs) });
    this.#phase = 'starting';
    this.#stopping = null;
    this.#ended = false;
    this.#failureSent = false;
    this.#wipeProfile = false;
    this.#settling = null;
    const found = findBrowser({ ...this.#timings.find, chromePath: this.config.chromePath, bundledDir: this.config.bundledBrowserDir });
    if (!found) {
      this.#phase = 'stopped';
      throw new Error(browserMissingMessage(this.#timings.find?.platform));
    }
    if (this.config.chromePath && found.source !== 'CHROME_PATH') {
      this.ctx.logger.warn({ chromePath: this.config.chromePath, using: found.path }, 'CHROME_PATH is not an executable file; using another browser');
    }
    const release = await launchPermits.acquire();
    try {
      if (this.#phase !== 'starting') throw new Error('stopped while waiting to launch');
      // A missing profile may come back from a snapshot; this must happen before Chromium opens it.
      await this.ctx.beforeLaunch?.();
      if (this.#phase !== 'starting') throw new Error('stopped while restoring the profile');
      const launched = await launchBrowser({ executablePath: found.path, profileDir: this.profileDir, slotDir: this.ctx.slotDir, args });
      this.#browser = launched;
      this.ctx.browserWatch?.launched(launched.pid);
      if (this.#phase !== 'starting') throw new Error('stopped while launching');
      if (launched.lock.action !== 'none') this.ctx.logger.warn({ lock: launched.lock }, 'recovered the profile lock of a previous browser');
      this.ctx.logger.info({ pid: launched.pid, browser: found.path, source: found.source }, 'browser launched');
      void launched.exited.then(({ code, signal }) => this.#fail(launched, `browser process exited (${signal ?? `code ${code}`})`));
      launched.browser.on('disconnected', () => this.#fail(launched, 'lost the DevTools connection to the browser'));

      const client = this.#createClient(launched.wsEndpoint);
      this.#client = client;
      this.#wire(client);
      await withTimeout(client.initialize(), this.#timings.initTimeoutMs, `WhatsApp Web did not load within ${this.#timings.initTimeoutMs} ms`);
      if (this.#phase !== 'starting') throw new Error('stopped while starting');
      this.#watchPage(client);
      if (client.pupPage && this.ctx.pageGuard) this.#disarmPage = this.ctx.pageGuard(client.pupPage);
      await this.#closeBlankTabs(launched);
      this.#phase = 'running';
    } catch (err) {
      const stopped = this.#phase !== 'starting';
      await this.#teardown();
      // A stop() mid-start makes the library fail in odd ways; say what really happened.
      if (stopped && !/^stopped/.test(errorText(err))) throw new Error(`stopped while starting (${errorText(err)})`);
      throw err instanceof Error ? err : new Error(errorText(err));
    } finally {
      release();
    }
  }

  #createClient(browserWSEndpoint: string): WaClient {
    const { webVersion, webCacheDir } = this.config;
    return new Client({
      authStrategy: new LocalAuth({ clientId: `slot-${this.ctx.slot}`, dataPath: this.sessionsDir }),
      puppeteer: { browserWSEndpoint, defaultViewport: null },
      // A pinned version must come from the local cache; unpinned, always the live site.
      ...(webVersion
        ? { webVersion, webVersionCache: { type: 'local', path: webCacheDir ?? path.join(this.ctx.dataDir, 'web-cache'), strict: true } }
        : { webVersionCache: { type: 'none' } }),
      qrMaxRetries: 0, // the Slot counts QR refreshes itself
      takeoverOnConflict: false,
    });
  }

  /** Library events → engine events. Listeners stay attached for the client's lifetime. */
  #wire(client: WaClient) {
    // A replaced client's late events are dropped.
    const emit: EngineContext['emit'] = (event) => {
      if (this.#client === client) this.ctx.emit(event);
    };
    client.on('qr', (qr: string) => emit({ type: 'qr', qr }));
    client.on('authenticated', () => emit({ type: 'authenticated' }));
    client.on('auth_failure', (message: string) => this.#fail(client, `authentication failed: ${message}`));
    client.on('ready', () => {
      const info = client.info;
      emit({ type: 'ready', phone: info?.wid?.user ?? null, name: info?.pushname ?? null });
    });
    client.on('disconnected', (reason: string) => {
      const why = String(reason);
      // The library closes the browser itself after most reasons: that exit is no failure.
      this.#ended = true;
      if (SESSION_GONE.test(why)) {
        this.#wipeProfile = true;
        this.#settling = this.#untilQr(client);
      }
      this.ctx.logger.info({ reason: why }, 'WhatsApp ended the session');
      emit({ type: 'disconnected', reason: why });
    });
    const onMessage = (msg: Message) => {
      const row = this.#map(() => toArchivedMessage(msg as unknown as WaMessageLike), 'message');
      if (row && this.#seen.add(row.id)) emit({ type: 'message', message: row });
    };
    client.on('message_create', onMessage);
    client.on('message', onMessage);
    client.on('message_ack', (msg: Message, ack: number) => {
      const row = this.#map(() => toArchivedMessage(msg as unknown as WaMessageLike), 'ack');
      if (row) emit({ type: 'message_ack', update: { chatId: row.chatId, messageId: row.id, ack: ackFromWhatsApp(ack) } });
    });
    client.on('vote_update', (vote: unknown) => {
      const mapped = this.#map(() => toPollVote(vote as WaPollVoteLike), 'vote');
      if (mapped) emit({ type: 'poll_vote', vote: mapped });
    });
    client.on('message_edit', (msg: Message, newBody: unknown) => {
      const row = this.#map(() => toArchivedMessage(msg as unknown as WaMessageLike), 'edit');
      if (row) emit({ type: 'message_edit', chatId: row.chatId, messageId: row.id, body: String(newBody ?? row.body) });
    });
    client.on('message_revoke_everyone', (msg: Message) => {
      const row = this.#map(() => toArchivedMessage(msg as unknown as WaMessageLike), 'revoke');
      if (row) emit({ type: 'message_revoke', chatId: row.chatId, messageId: row.id });
    });
    client.on('unread_count', (chat: Chat | undefined) => {
      if (!chat) return;
      const row = this.#map(() => toChatRow(chat as unknown as WaChatLike), 'chat');
      if (row) emit({ type: 'chat_update', chat: row });
    });
  }

  /**
   * Resolves shortly after the library's next QR (its re-injection then only has a few quick
   * calls left), or after 5 s.
   */
  #untilQr(client: WaClient): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('qr', done);
        setTimeout(resolve, 1000);
      };
      const timer = setTimeout(done, 5000);
      client.once('qr', done);
    });
  }

  /** A malformed library object must cost one event, never the process. */
  #map<T>(fn: () => T | null, what: string): T | null {
    try {
      return fn();
    } catch (err) {
      this.ctx.logger.warn({ err: errorText(err), what }, 'could not read a WhatsApp event');
      return null;
    }
  }

  /** Crashes the library does not watch: page crash, page closed, CDP connection lost. */
  #watchPage(client: WaClient) {
    const page = client.pupPage;
    page?.on('error', (err: Error) => void this.#reloadCrashedPage(client, `page crashed: ${err.message}`));
    page?.on('close', () => this.#fail(client, 'the WhatsApp page was closed'));
    client.pupBrowser?.on('disconnected', () => this.#fail(client, 'whatsapp-web.js lost its browser connection'));
  }

  /**
   * A renderer crash leaves the browser and its DevTools connection alive: reload the page and let
   * the library re-inject (it does on every navigation) and report READY again, without a QR.
   */
  async #reloadCrashedPage(client: WaClient, error: string): Promise<void> {
    if (client !== this.#client || this.#phase !== 'running' || this.#ended || this.#failureSent) return;
    const page = client.pupPage;
    const now = Date.now();
    if (!page || now - this.#lastPageReload < PAGE_RELOAD_SPACING_MS) return this.#fail(client, error);
    this.#lastPageReload = now;
    this.ctx.logger.warn({ error }, 'page crashed; reloading it');
    this.ctx.emit({ type: 'recovering', reason: `${error}; reloading the page` });
    let done = () => undefined as void;
    const back = new Promise<void>((resolve) => {
      done = () => {
        client.off('ready', done);
        client.off('qr', done);
        resolve();
      };
      client.once('ready', done);
      client.once('qr', done);
    });
    try {
      await withTimeout(page.reload({ waitUntil: 'domcontentloaded' }), PAGE_RELOAD_READY_MS, 'the page did not reload');
      await withTimeout(back, PAGE_RELOAD_READY_MS, `not READY within ${PAGE_RELOAD_READY_MS} ms of the reload`);
    } catch (err) {
      done();
      this.#fail(client, `${error}; reloading did not bring it back (${errorText(err)})`);
    }
  }

  /** Puppeteer opens an about:blank tab at launch; it costs a renderer and serves no one. */
  async #closeBlankTabs(launched: LaunchedBrowser) {
    try {
      const pages = await launched.browser.pages();
      const blanks = pages.filter((p) => p.url() === 'about:blank');
      if (blanks.length < pages.length) await Promise.all(blanks.map((p) => p.close()));
    } catch (err) {
      this.ctx.logger.debug({ err: errorText(err) }, 'could not close the blank tab');
    }
  }

  /** Report a failure of the current browser/client once; stale owners and stops are ignored. */
  #fail(owner: WaClient | LaunchedBrowser, error: string) {
    if (owner !== this.#client && owner !== this.#browser) return;
    if (this.#phase === 'stopping' || this.#phase === 'stopped' || this.#phase === 'idle') return;
    if (this.#ended || this.#failureSent) return;
    this.#failureSent = true;
    this.ctx.logger.warn({ error }, 'slot browser failed');
    this.ctx.emit({ type: 'failure', error });
  }

  /** Resolves once nothing of this engine runs, including a start that was in flight. */
  stop(): Promise<void> {
    if (!this.#stopping) {
      const inFlight = this.#startWork;
      this.#stopping = this.#teardown().then(() => inFlight?.then(
        () => undefined,
        () => undefined,
      ));
    }
    return this.#stopping;
  }

  /** Close politely within the deadline, then SIGKILL whatever is left of the tree. */
  async #teardown(): Promise<void> {
    this.#phase = 'stopping';
    this.#disarmPage?.();
    this.#disarmPage = null;
    const client = this.#client;
    const launched = this.#browser;
    this.#client = null;
    this.#browser = null;
    if (client) {
      if (this.#settling) await this.#settling;
      // No new re-injection may start while the page goes away.
      client.pupPage?.off('framenavigated');
      await withTimeout(client.destroy(), this.#timings.closeTimeoutMs, 'close timed out').catch((err) =>
        this.ctx.logger.warn({ err: errorText(err) }, 'browser did not close politely; killing it'),
      );
    }
    if (launched) {
      // Give a closing Chromium time to flush the profile (the pairing lives there).
      await withTimeout(launched.exited, this.#timings.closeTimeoutMs, 'exit timed out').catch(() => undefined);
      await killTree(launched.pid).catch((err) => this.ctx.logger.error({ err: errorText(err), pid: launched.pid }, 'could not kill the browser'));
      launched.browser.disconnect().catch(() => undefined);
      this.ctx.browserWatch?.exited(launched.pid);
      clearBrowserFile(this.ctx.slotDir);
    }
    if (this.#wipeProfile) {
      fs.rmSync(this.profileDir, { recursive: true, force: true, maxRetries: 4 });
      this.#wipeProfile = false;
    }
    this.#phase = 'stopped';
  }

  async logout(): Promise<void> {
    const client = this.#client;
    if (client && this.#phase === 'running') {
      await withTimeout(client.logout(), this.#timings.closeTimeoutMs, 'logout timed out').catch((err) =>
        this.ctx.logger.warn({ err: errorText(err) }, 'logout did not finish; removing the session anyway'),
      );
    }
    this.#wipeProfile = true;
    this.#stopping = null;
    await this.stop();
  }

  #requireClient(): WaClient {
    if (this.#phase !== 'running' || !this.#client) throw new BridgeError('NOT_CONNECTED', `slot ${this.ctx.slot} has no running browser`);
    return this.#client;
  }

  async #send(what: string, work: (client: WaClient) => Promise<Message | undefined>): Promise<ArchivedMessage> {
    const client = this.#requireClient();
    let msg: Message | undefined;
    try {
      msg = await work(client);
    } catch (err) {
      throw new BridgeError('SEND_FAILED', `${what} failed: ${errorText(err)}`, { cause: err });
    }
    if (!msg) throw new BridgeError('SEND_FAILED', `${what} failed: WhatsApp returned no message (unknown chat?)`);
    return toArchivedMessage(msg as unknown as WaMessageLike);
  }

  async resolvePhone(digits: string): Promise<string | null> {
    const client = this.#requireClient();
    try {
      const wid = (await client.getNumberId(digits)) as { _serialized?: string } | null;
      return wid?._serialized ?? null;
    } catch (err) {
      throw new BridgeError('SEND_FAILED', `could not check ${digits} on WhatsApp: ${errorText(err)}`, { cause: err });
    }
  }

  sendText(chatId: string, text: string, opts: SendOptions = {}): Promise<ArchivedMessage> {
    return this.#send('sending the text', (c) => c.sendMessage(chatId, text, { quotedMessageId: opts.quotedMessageId }));
  }

  sendMedia(chatId: string, media: MediaInput, opts: SendOptions = {}): Promise<ArchivedMessage> {
    const file = new MessageMedia(media.mimetype, media.base64, media.filename ?? null);
    return this.#send('sending the media', (c) =>
      c.sendMessage(chatId, file, { caption: media.caption, sendAudioAsVoice: media.asVoice === true, quotedMessageId: opts.quotedMessageId }),
    );
  }

  sendPoll(chatId: string, poll: PollInput): Promise<ArchivedMessage> {
    const content = new Poll(poll.question, poll.options, { allowMultipleAnswers: poll.allowMultiple, messageSecret: undefined });
    return this.#send('sending the poll', (c) => c.sendMessage(chatId, content));
  }

  async downloadMedia(messageId: string): Promise<DownloadedMedia | null> {
    const client = this.#requireClient();
    const msg = await client.getMessageById(messageId);
    if (!msg) return null;
    // The library answers nothing (null/undefined) when WhatsApp has no copy left to give.
    const media = await msg.downloadMedia();
    if (!media?.data) return null;
    return { data: Buffer.from(media.data, 'base64'), mimetype: media.mimetype, filename: media.filename ?? null, thumbnail: embeddedThumbnail(msg as unknown as Parameters<typeof embeddedThumbnail>[0]) };
  }

  async getChats(limit: number): Promise<ChatRow[]> {
    const chats = await this.#requireClient().getChats();
    return chats
      .map((c) => toChatRow(c as unknown as WaChatLike))
      .sort((a, b) => b.timestamp - a.timestamp)
      .slice(0, Math.max(0, limit));
  }

  async getChat(chatId: string): Promise<ChatRow | null> {
    const client = this.#requireClient();
    const chat = await client.getChatById(chatId).catch(() => undefined);
    return chat ? toChatRow(chat as unknown as WaChatLike) : null;
  }

  async getMessages(chatId: string, limit: number, before?: string): Promise<MessageRow[]> {
    const client = this.#requireClient();
    const chat = await client.getChatById(chatId).catch(() => undefined);
    if (!chat) throw new BridgeError('NOT_FOUND', `chat ${chatId} not found`);
    const newestFirst = async (window: number | undefined) =>
      (await chat.fetchMessages(window ? { limit: window } : {})).map((m) => toArchivedMessage(m as unknown as WaMessageLike)).reverse();
    // Without a limit the library hands over the loaded messages in their true order; with one
    // it also loads older ones but sorts by second (same-second messages come out shuffled).
    let rows = await newestFirst(undefined);
    for (let window = limit + 50; ; window *= 4) {
      const at = before ? rows.findIndex((r) => r.id === before) : -1;
      if (!before && rows.length >= limit) return rows.slice(0, limit).map((m) => apiMessageRow(m));
      if (at >= 0 && rows.length >= at + 1 + limit) return rows.slice(at + 1, at + 1 + limit).map((m) => apiMessageRow(m));
      const more = await newestFirst(window);
      if (more.length <= rows.length || window > 5000) {
        // Everything there is has been loaded.
        const anchor = before ? more.findIndex((r) => r.id === before) : -1;
        if (before && anchor < 0) throw new BridgeError('NOT_FOUND', `message ${before} not found in chat ${chatId}`);
        return more.slice(anchor + 1, anchor + 1 + limit).map((m) => apiMessageRow(m));
      }
      rows = more;
    }
  }

  async markRead(chatId: string): Promise<void> {
    await this.#requireClient().sendSeen(chatId);
  }

  async getAvatarUrl(chatId: string): Promise<string | null> {
    const url = await this.#requireClient().getProfilePicUrl(chatId);
    return url || null;
  }

  async getState(): Promise<string> {
    const client = this.#client;
    if (!client || !client.pupPage) throw new Error(`slot ${this.ctx.slot} has no page to ask`);
    return String(await client.getState());
  }

  processInfo(): EngineProcessInfo {
    const pid = this.#browser?.pid ?? null;
    if (pid === null) return { pid: null, rssBytes: null, pssBytes: null };
    if (process.platform !== 'linux') {
      const rssBytes = this.#memory.read(pid); // no /proc: pidusage, one probe behind
      return { pid, rssBytes, pssBytes: null, memoryMeasure: rssBytes === null ? null : 'rss' };
    }
    const mem = treeMemory(pid);
    return { pid, rssBytes: mem?.rssBytes ?? null, pssBytes: mem?.pssBytes ?? null, memoryMeasure: mem ? 'pss' : null };
  }
}

