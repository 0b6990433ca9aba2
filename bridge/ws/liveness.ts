// Keeping the client list honest: a phone whose Wi-Fi dropped leaves a half-open socket that
// looks open for hours (so pushes to it were skipped), and a client that stops reading makes
// every broadcast pile up in memory. Pings find the first, a send-buffer bound the second.
import { WebSocket } from 'ws';

/** Ping every client this often; one that has not answered the previous ping is cut. */
export const HEARTBEAT_MS = 30_000;
/** A client with more than this waiting to be sent to it is cut (it stopped reading). */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export class Heartbeat {
  /** Clients whose last ping has not been answered yet. */
  private readonly awaiting = new WeakSet<WebSocket>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly clients: () => Iterable<WebSocket>,
  ) {}

  track(ws: WebSocket): void {
    ws.on('pong', () => this.awaiting.delete(ws));
  }

  /** Open and not yet found dead (a missed ping cuts the socket, which closes it). */
  isAlive(ws: WebSocket): boolean {
    return ws.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.timer ??= setInterval(() => this.beat(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private beat(): void {
    for (const ws of this.clients()) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (this.awaiting.has(ws)) {
        ws.terminate();
        continue;
      }
      this.awaiting.add(ws);
      ws.ping();
    }
  }
}

/** Send unless the client is too far behind; then cut it (it reconnects and catches up). */
export function sendBounded(ws: WebSocket, text: string, maxBuffered: number): boolean {
  if (ws.readyState !== WebSocket.OPEN) return false;
  if (ws.bufferedAmount > maxBuffered) {
    ws.terminate();
    return false;
  }
  ws.send(text);
  return true;
}
