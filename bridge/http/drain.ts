// Graceful stop for HTTP. Node's server.close() destroys every connection it thinks idle, but
// under load most keep-alive connections hold a request the event loop has not read yet: those
// requests were reset. Here a stop instead (1) refuses new connections, (2) answers every request
// that arrives with `Connection: close`, and (3) closes a connection only once it has been quiet
// for a moment with nothing in flight, or when the grace period ends.
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Socket } from 'node:net';

/** A connection this long without a request after its last answer is taken to be idle. */
const QUIET_MS = 150;
const POLL_MS = 50;

interface ConnectionState {
  busy: number;
  lastActive: number;
}

export class RequestDrain {
  private readonly open = new Set<ServerResponse>();
  private readonly connections = new Map<Socket, ConnectionState>();
  private stopping = false;
  private readonly servers: Server[] = [];

  /** Follow a server's connections (HTTPS: its TLS sockets, which is what requests carry). */
  watch(server: Server): void {
    this.servers.push(server);
    const follow = (socket: Socket) => {
      this.connections.set(socket, { busy: 0, lastActive: Date.now() });
      socket.once('close', () => this.connections.delete(socket));
    };
    server.on(server instanceof https.Server ? 'secureConnection' : 'connection', follow);
    // A WebSocket's connection belongs to the hub, which says goodbye to it itself.
    server.on('upgrade', (_req: IncomingMessage, socket: Socket) => this.connections.delete(socket));
  }

  /** Wrap the server's request handler to count requests and mark answers during a stop. */
  wrap(handler: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      const conn = this.connections.get(req.socket);
      if (conn) conn.busy++;
      this.open.add(res);
      if (this.stopping) res.setHeader('Connection', 'close');
      res.once('close', () => {
        this.open.delete(res);
        if (conn) {
          conn.busy--;
          conn.lastActive = Date.now();
        }
      });
      handler(req, res);
    };
  }

  get count(): number {
    return this.open.size;
  }

  /**
   * Stop: refuse new connections, let every request received be answered, close connections
   * as they go quiet; after `graceMs` cut whatever is left.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const res of this.open) if (!res.headersSent) res.setHeader('Connection', 'close');
    // The plain net close: stops listening without http's destroy-the-idle-connections step.
    const closed = Promise.all(this.servers.map((server) => new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()))));
    const deadline = Date.now() + graceMs;
    while (this.connections.size > 0 && Date.now() < deadline) {
      const now = Date.now();
      for (const [socket, state] of this.connections) {
        if (state.busy === 0 && now - state.lastActive >= QUIET_MS) socket.destroy();
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS).unref());
    }
    for (const socket of this.connections.keys()) socket.destroy();
    await closed;
  }
}
