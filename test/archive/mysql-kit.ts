// Test helpers for the MySQL archive: a fresh database per test on the local MariaDB, and a TCP
// proxy in front of it that a test can cut and restore to play "MySQL went away".
import net from 'node:net';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';

export const MYSQL_HOST = process.env.WA_TEST_MYSQL_HOST ?? '127.0.0.1';
export const MYSQL_PORT = Number(process.env.WA_TEST_MYSQL_PORT ?? 3306);

export function adminConnection(database?: string) {
  return mysql.createConnection({ host: MYSQL_HOST, port: MYSQL_PORT, user: 'root', password: '', database, connectTimeout: 5000 });
}

/** A new, empty database; the caller drops it. Fails loudly when MariaDB is not reachable. */
export async function createTestDatabase(): Promise<{ name: string; url: (port?: number) => string; drop: () => Promise<void>; query: <T extends RowDataPacket[]>(sql: string, params?: unknown[]) => Promise<T> }> {
  const name = `wa_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = await adminConnection().catch((err: Error) => {
    throw new Error(`MariaDB is not reachable at ${MYSQL_HOST}:${MYSQL_PORT} (${err.message}); .ci/run starts it`);
  });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.end();
  return {
    name,
    url: (port = MYSQL_PORT) => `mysql://root@${MYSQL_HOST}:${port}/${name}`,
    async query<T extends RowDataPacket[]>(sql: string, params: unknown[] = []) {
      const c = await adminConnection(name);
      try {
        const [rows] = await c.query<T>(sql, params);
        return rows;
      } finally {
        await c.end();
      }
    },
    async drop() {
      const c = await adminConnection();
      try {
        await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Forwards a local port to MariaDB; `cut()` closes it and every open connection, `restore()`
 * reopens; `pause()` keeps every connection open but forwards nothing (a hung server), `resume()`
 * forwards again.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private paused = false;
  private readonly held: (() => void)[] = [];
  port = 0;

  private forward(from: net.Socket, to: net.Socket): void {
    from.on('data', (chunk) => {
      if (this.paused) this.held.push(() => to.write(chunk));
      else to.write(chunk);
    });
  }

  async restore(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(MYSQL_PORT, MYSQL_HOST);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      this.forward(client, upstream);
      this.forward(upstream, client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const send of this.held.splice(0)) send();
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.paused = false;
    this.held.length = 0;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
