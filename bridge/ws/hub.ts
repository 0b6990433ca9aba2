// The WebSocket hub at /ws: auth and network check on the upgrade, JSON commands with replies,
// and broadcasts by slot (each frame serialised once for all subscribers).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { hasRole, mayUseSlot } from '../auth/scope.js';
import type { Caller } from '../auth/tokens.js';
import type { BridgeContext, HubPort } from '../context.js';
import { BridgeError, errorBody } from '../domain/index.js';
import { tokenFromHeaders } from '../access/credentials.js';
import { sameOrigin, sessionIdFromHeaders } from '../auth/session-cookie.js';
import type { SessionStore } from '../auth/sessions.js';
import type { AddressCheck } from '../access/network.js';
import { asBridgeError } from '../api/errors.js';
import type { BridgeEvent } from '../types.js';
import { handleCommand } from './commands.js';
import { helloFrame } from './hello.js';
import { Heartbeat, HEARTBEAT_MS, MAX_BUFFERED_BYTES, sendBounded } from './liveness.js';
import { EventLog } from './replay.js';
import { INSTALLATION_SHAPE } from '../push/token-store.js';

export interface ClientState {
  caller: Caller;
  /** null = every slot. */
  slots: Set<number> | null;
  /** The phone behind this socket (`?installationId=` or register_fcm), telling apart phones that share a token. */
  installationId: string | null;
  /** The admin app's own tab (`?client=admin-app`): never counts as a phone being online. */
  adminApp: boolean;
  /** Signed in by the session cookie: that session's hash (sign-out closes the socket). */
  sessionHash?: string | null;
}

interface AcceptOptions {
  since: number | null;
  installationId: string | null;
  adminApp: boolean;
  sessionHash: string | null;
}

function frameSize(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export interface HubOptions {
  heartbeatMs?: number;
  maxBufferedBytes?: number;
  /** Cluster mode: the log numbered by the cluster's event table (bridge/cluster/events.ts). */
  eventLog?: EventLog;
  /** Told when a socket opens or closes (cluster mode publishes who is online: cluster/presence.ts). */
  onClientsChanged?: () => void;
}

export class WsHub implements HubPort {
  private readonly wss: WebSocketServer;
  private readonly clients = new Map<WebSocket, ClientState>();
  /** Recent broadcasts, numbered, for `?since=` replays. */
  readonly events: EventLog;
  private readonly heartbeat: Heartbeat;
  private readonly maxBuffered: number;
  private readonly onClientsChanged: () => void;

  constructor(
    private readonly ctx: BridgeContext,
    private readonly allowAddress: AddressCheck,
    opts: HubOptions = {},
  ) {
    // Frames over the body limit get an error reply and the socket stays open (API.md); only a
    // frame far past it (4×) is cut off by ws itself, to bound memory.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: ctx.config.bodyLimitBytes * 4 });
    this.heartbeat = new Heartbeat(opts.heartbeatMs ?? HEARTBEAT_MS, () => this.clients.keys());
    this.maxBuffered = opts.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
    this.events = opts.eventLog ?? new EventLog();
    this.onClientsChanged = opts.onClientsChanged ?? (() => undefined);
  }

  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.heartbeat.start();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') return refuse(socket, 404, 'Not Found');
    if (!this.allowAddress(req.socket.remoteAddress)) {
      this.ctx.logger.warn({ address: req.socket.remoteAddress, path: '/ws' }, 'refused: address not in the allowed networks');
      return refuse(socket, 403, 'Forbidden');
    }
    const token = url.searchParams.get('token') ?? tokenFromHeaders(req.headers);
    const sessionId = token ? undefined : sessionIdFromHeaders(req.headers);
    if (sessionId && this.ctx.sessions) return this.upgradeBySession(this.ctx.sessions, sessionId, url, req, socket, head);
    this.ctx.tokens.identify(token).then(
      (caller) => {
        if (!caller) return refuse(socket, 401, 'Unauthorized');
        this.upgradeAs(caller, url, req, socket, head);
      },
      (err: unknown) => {
        this.ctx.logger.warn({ err: (err as Error)?.message }, 'websocket: cannot check the token');
        refuse(socket, 503, 'Service Unavailable');
      },
    );
  }

  /** The admin app's cookie. Browsers send cookies on cross-site socket upgrades too, so the Origin must be this bridge. */
  private upgradeBySession(sessions: SessionStore, id: string, url: URL, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!sameOrigin(req.headers)) return refuse(socket, 403, 'Forbidden');
    sessions.identify(id).then(
      (session) => {
        if (!session) return refuse(socket, 401, 'Unauthorized');
        this.upgradeAs(session.caller, url, req, socket, head, session.idHash);
      },
      (err: unknown) => {
        this.ctx.logger.warn({ err: (err as Error)?.message }, 'websocket: cannot check the session');
        refuse(socket, 503, 'Service Unavailable');
      },
    );
  }

  private upgradeAs(caller: Caller, url: URL, req: IncomingMessage, socket: Duplex, head: Buffer, sessionHash: string | null = null): void {
    const sinceText = url.searchParams.get('since');
    if (sinceText !== null && !/^\d{1,15}$/.test(sinceText)) return refuse(socket, 400, 'Bad Request');
    const installationId = url.searchParams.get('installationId');
    if (installationId !== null && !INSTALLATION_SHAPE.test(installationId)) return refuse(socket, 400, 'Bad Request');
    const opts: AcceptOptions = {
      since: sinceText === null ? null : Number(sinceText),
      installationId,
      adminApp: url.searchParams.get('client') === 'admin-app',
      sessionHash,
    };
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, caller, opts));
  }

  /** Does this client receive events of this slot? */
  private wants(state: ClientState, slot: number): boolean {
    return mayUseSlot(state.caller, slot) && (!state.slots || state.slots.has(slot));
  }

  private accept(ws: WebSocket, caller: Caller, { since, installationId, adminApp, sessionHash }: AcceptOptions): void {
    const state: ClientState = { caller, slots: null, installationId, adminApp, sessionHash };
    // Hello, then the missed events, then live ones: all in this tick, so no event is sent twice or lost between them.
    const result = since === null ? null : this.events.since(since);
    const missed = result ? result.events.filter((e) => this.wants(state, e.slot)) : [];
    const replay = result && since !== null ? { since, result, count: missed.length } : null;
    ws.send(JSON.stringify(helloFrame(this.ctx, this.events, (n) => this.wants(state, n), replay, hasRole(caller, 'manage'))));
    for (const e of missed) sendBounded(ws, e.text, this.maxBuffered);
    this.clients.set(ws, state);
    this.heartbeat.track(ws);
    if (caller.kind === 'device') this.ctx.tokens.touch(caller.id).catch(() => undefined);
    ws.on('message', (data, isBinary) => void this.onFrame(ws, state, data, isBinary));
    this.onClientsChanged();
    ws.on('close', () => {
      this.clients.delete(ws);
      this.onClientsChanged();
    });
    ws.on('error', (err) => {
      // ws closes the socket itself on a frame over maxPayload (1009); nothing else to do.
      this.ctx.logger.debug({ err: err.message }, 'websocket error');
    });
  }

  private async onFrame(ws: WebSocket, state: ClientState, data: RawData, isBinary: boolean): Promise<void> {
    let frame: Record<string, unknown>;
    try {
      if (isBinary) throw new BridgeError('VALIDATION_ERROR', 'frames must be JSON text');
      const parsed: unknown = JSON.parse(data.toString());
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new BridgeError('VALIDATION_ERROR', 'a frame must be a JSON object');
      frame = parsed as Record<string, unknown>;
    } catch (err) {
      const e = err instanceof BridgeError ? err : new BridgeError('VALIDATION_ERROR', 'frame is not valid JSON');
      this.ctx.metrics?.errors.inc({ code: e.code, transport: 'ws' });
      return this.reply(ws, { type: 'error', ...errorBody(e.code, e.message) });
    }
    const type = typeof frame.type === 'string' ? frame.type : 'error';
    const requestId = frame.requestId;
    try {
      if (frameSize(data) > this.ctx.config.bodyLimitBytes) {
        throw new BridgeError('PAYLOAD_TOO_LARGE', `frame is over the ${Math.round(this.ctx.config.bodyLimitBytes / 1024)} KiB limit`);
      }
      const local = () => handleCommand(this.ctx, state, frame);
      // Cluster mode: a command for a slot another node runs is answered by that node.
      const result = await (this.ctx.routing ? this.ctx.routing.command(state.caller, frame, local) : local());
      this.reply(ws, { type, requestId, success: true, data: result });
    } catch (err) {
      const e = asBridgeError(err);
      this.ctx.metrics?.errors.inc({ code: e.code, transport: 'ws' }); // (test doubles may leave metrics out)
      if (e.code === 'INTERNAL') this.ctx.logger.error({ err, type }, 'websocket command failed');
      const body = errorBody(e.code, e.code === 'INTERNAL' ? 'internal error' : e.message);
      this.reply(ws, { type, requestId, ...body, ...(e.retryAfter !== undefined ? { retryAfter: e.retryAfter } : {}) });
    }
  }

  private reply(ws: WebSocket, frame: Record<string, unknown>): void {
    sendBounded(ws, JSON.stringify(frame), this.maxBuffered);
  }

  broadcast(event: BridgeEvent): void {
    const { chat: _localOnly, ...wire } = event as BridgeEvent & { chat?: unknown };
    const { text } = this.events.append(event.slot, wire);
    this.fanOut(event.slot, event.type, text);
  }

  /** Cluster mode: an event of any node's slot, numbered by the cluster (repeats are dropped). */
  deliver(seq: number, slot: number, wire: Record<string, unknown>): void {
    const entry = this.events.appendAt(seq, slot, wire);
    if (entry) this.fanOut(slot, String(wire.type), entry.text);
  }

  private fanOut(slot: number, type: string, text: string): void {
    for (const [ws, state] of this.clients) {
      if (!this.wants(state, slot)) continue;
      if (type === 'qr' && !hasRole(state.caller, 'manage')) continue; // a QR links an account: manage only
      sendBounded(ws, text, this.maxBuffered);
    }
  }

  /** Is any socket of this device open right now (push goes only to devices that are not)? */
  /**
   * Is this phone connected (push goes only to phones that are not)? A phone is its token plus
   * its installation id; one that registered without an id is matched by sockets without one.
   * The admin app's tab is never a phone, even when it uses the same token.
   */
  isDeviceOnline(deviceId: string, installationId: string | null = null): boolean {
    for (const [ws, state] of this.clients) {
      if (state.caller.id !== deviceId || state.adminApp || state.installationId !== installationId) continue;
      // Only a socket that answered the last ping: a half-open one must not swallow the push.
      if (this.heartbeat.isAlive(ws)) return true;
    }
    return false;
  }

  /** The phones with a live socket here (what isDeviceOnline answers true for). */
  onlinePhones(): { deviceId: string; installationId: string | null }[] {
    const phones: { deviceId: string; installationId: string | null }[] = [];
    for (const [ws, state] of this.clients) {
      if (state.caller.kind === 'device' && !state.adminApp && this.heartbeat.isAlive(ws)) phones.push({ deviceId: state.caller.id, installationId: state.installationId });
    }
    return phones;
  }

  closeDevice(deviceId: string): void {
    for (const [ws, state] of this.clients) {
      if (state.caller.kind === 'device' && state.caller.id === deviceId) ws.close(4001, 'device revoked');
    }
  }

  closeSession(idHash: string): void {
    for (const [ws, state] of this.clients) {
      if (state.sessionHash === idHash) ws.close(4001, 'signed out');
    }
  }

  clientCount(): number {
    return this.clients.size;
  }

  /** Say goodbye (1001), give clients a moment to answer, then cut whoever did not. */
  async close(graceMs = 1000): Promise<void> {
    this.heartbeat.stop();
    const sockets = [...this.clients.keys()];
    for (const ws of sockets) ws.close(1001, 'bridge stopping');
    const closed = Promise.all(sockets.map((ws) => new Promise((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve(null) : ws.once('close', resolve)))));
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    for (const ws of sockets) ws.terminate();
    this.clients.clear();
    // With every client gone, ws calls back at once (it waits for open connections otherwise).
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
