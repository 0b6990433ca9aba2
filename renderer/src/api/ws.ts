// The one WebSocket to the bridge: broadcasts to listeners, commands as promises (by requestId),
// and a reconnect loop with backoff so a restarted bridge or a dropped network heals by itself.
import type { ServerEvent } from './types.js';
import { ApiError } from './client.js';

export type LinkState = 'connecting' | 'open' | 'lost' | 'closed';

/** The subset of the browser's WebSocket this client uses (injectable for tests). */
export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

export interface LinkOptions {
  url: string;
  socketFactory?: SocketFactory;
  /** Backoff steps in ms; the last one repeats. */
  backoffMs?: number[];
  commandTimeoutMs?: number;
}

type Listener = (event: ServerEvent) => void;
interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class BridgeLink {
  private socket: SocketLike | null = null;
  private listeners = new Set<Listener>();
  private stateListeners = new Set<(s: LinkState) => void>();
  private pending = new Map<string, Pending>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private nextId = 1;
  private everOpened = false;
  state: LinkState = 'closed';

  constructor(private readonly opts: LinkOptions) {}

  start(): void {
    if (this.state !== 'closed') return;
    this.open();
  }

  stop(): void {
    this.setState('closed');
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const s = this.socket;
    this.socket = null;
    s?.close();
    this.failPending('the connection was closed');
  }

  /** Was the socket ever open? (a first failure is "connecting", later ones are "lost") */
  get hasConnected(): boolean {
    return this.everOpened;
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: (s: LinkState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Send a command and wait for its reply's `data`. */
  command<T>(type: string, fields: Record<string, unknown> = {}): Promise<T> {
    const socket = this.socket;
    if (!socket || this.state !== 'open') return Promise.reject(new ApiError('NETWORK', 'not connected to the bridge', 0));
    const requestId = `r${this.nextId++}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new ApiError('NETWORK', `no reply to ${type}`, 0));
      }, this.opts.commandTimeoutMs ?? 15_000);
      this.pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject, timer });
      socket.send(JSON.stringify({ ...fields, type, requestId }));
    });
  }

  private open(): void {
    this.setState(this.everOpened ? 'lost' : 'connecting');
    const factory = this.opts.socketFactory ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    let socket: SocketLike;
    try {
      socket = factory(this.opts.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.everOpened = true;
      this.setState('open');
    };
    socket.onmessage = (ev) => {
      if (this.socket === socket) this.handle(ev.data);
    };
    socket.onerror = () => {
      /* onclose follows and does the work */
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failPending('the connection to the bridge was lost');
      if (this.state === 'closed') return;
      this.setState(this.everOpened ? 'lost' : 'connecting');
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (this.state === 'closed') return;
    const steps = this.opts.backoffMs ?? [500, 1000, 2000, 4000, 8000];
    const delay = steps[Math.min(this.attempt, steps.length - 1)]!;
    this.attempt++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.state !== 'closed') this.open();
    }, delay);
  }

  private handle(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return; // a frame we cannot read is not worth crashing the app over
    }
    if (!frame || typeof frame.type !== 'string') return;
    const requestId = typeof frame.requestId === 'string' ? frame.requestId : null;
    if (requestId && this.pending.has(requestId)) {
      const p = this.pending.get(requestId)!;
      this.pending.delete(requestId);
      clearTimeout(p.timer);
      if (frame.success === false) {
        const e = (frame.error ?? {}) as { code?: string; message?: string };
        p.reject(new ApiError((e.code ?? 'BAD_RESPONSE') as never, e.message ?? 'command failed', 0));
      } else p.resolve(frame.data);
      return;
    }
    for (const l of this.listeners) {
      try {
        l(frame as unknown as ServerEvent);
      } catch (err) {
        console.error('event listener failed', err);
      }
    }
  }

  private failPending(message: string): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ApiError('NETWORK', message, 0));
    }
    this.pending.clear();
  }

  private setState(s: LinkState): void {
    if (this.state === s) return;
    this.state = s;
    for (const l of this.stateListeners) l(s);
  }
}

/**
 * ws(s)://<this host>/ws — signed in by the session cookie the browser sends on the upgrade, or
 * (token given) `?token=…` on the socket URL only, never the page URL.
 * `client=admin-app` tells the bridge this tab is not a phone, so it never holds back a phone's push.
 */
export function socketUrl(location: { protocol: string; host: string }, token: string | null = null): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/ws?${token ? `token=${encodeURIComponent(token)}&` : ''}client=admin-app`;
}
