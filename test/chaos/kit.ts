// The chaos suite's tools: a send load that remembers every answer, the ground truth (the demo
// engine's persisted history = what "WhatsApp" has; the archive as stored), a private MariaDB
// server, a small tmpfs, and the one figure line per scenario.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { waitFor } from '../helpers/bridge.js';
import { freePort, TOKEN, type BridgeProcess } from '../helpers/process.js';

/** Sends are spread over 100 chats: the demo account keeps the newest 1,000 messages per chat. */
export const chatFor = (n: number) => `15550900${String(n % 100).padStart(3, '0')}@c.us`;

export interface Sent {
  key: string;
  chatId: string;
  body: string;
  /** The id the caller was given (null: no answer yet, or the answer was an error). */
  id: string | null;
  status: number | null;
}

/** Sends with idempotency keys, `concurrency` at a time, until stopped; every answer is kept. */
export class SendLoad {
  readonly sent: Sent[] = [];
  private running = false;
  private workers: Promise<void>[] = [];
  private next = 0;

  constructor(private readonly tag: string, private readonly opts: { queue?: boolean } = {}) {}

  start(p: BridgeProcess, concurrency = 4): void {
    this.running = true;
    this.workers = Array.from({ length: concurrency }, () => this.work(p));
  }

  private async work(p: BridgeProcess): Promise<void> {
    while (this.running) {
      const n = this.next++;
      const item: Sent = { key: `${this.tag}-${n}`, body: `${this.tag} message ${n}`, chatId: chatFor(n), id: null, status: null };
      this.sent.push(item);
      await this.sendOne(p, item);
    }
  }

  private async sendOne(p: BridgeProcess, item: Sent): Promise<void> {
    try {
      const res = await fetch(`${p.url}/api/send`, {
        method: 'POST',
        headers: { apikey: TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify({ slot: 1, chatId: item.chatId, message: item.body, idempotencyKey: item.key, queue: this.opts.queue }),
      });
      item.status = res.status;
      const body = (await res.json().catch(() => ({}))) as { messageId?: string; outboxId?: string };
      item.id = res.ok ? (body.messageId ?? null) : null;
    } catch {
      item.status = null; // connection cut (the bridge died): the caller retries
    }
  }

  /** Stop after the requests in flight ended (or were cut). */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  /** What a careful caller does after a crash: every request without an answer is sent again, same key. */
  async retryUnanswered(p: BridgeProcess): Promise<number> {
    const open = this.sent.filter((s) => s.status !== 200);
    for (const item of open) await this.sendOne(p, item);
    return open.length;
  }
}

/** The demo account's messages (its history file is the "WhatsApp" side of the truth). */
export function engineHistory(dataDir: string, slot = 1): { id: string; body: string; fromMe: number; timestamp: number }[] {
  const file = path.join(dataDir, 'slots', `slot-${slot}`, 'demo-history.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        // Lines without a message only record a read mark.
        const m = (JSON.parse(line) as { message?: { id: string; body: string; fromMe: number; timestamp: number } }).message;
        return m ? [m] : [];
      } catch {
        return [];
      }
    });
}

export function sqliteArchiveIds(dataDir: string): Set<string> {
  const db = new Database(path.join(dataDir, 'archive.db'), { readonly: true });
  try {
    return new Set((db.prepare('SELECT id FROM messages WHERE slot = 1').all() as { id: string }[]).map((r) => r.id));
  } finally {
    db.close();
  }
}

export async function mysqlArchiveIds(url: string): Promise<Set<string>> {
  const c = await mysql.createConnection({ uri: url });
  try {
    const [rows] = await c.query<RowDataPacket[]>('SELECT id FROM messages WHERE slot = 1');
    return new Set(rows.map((r) => String(r.id)));
  } finally {
    await c.end();
  }
}

export interface Figures {
  scenario: string;
  messages: number;
  lost: number;
  duplicated: number;
  archiveMissing: number;
  /** Received messages missing inside the documented archive window (allowed, reported). */
  inWindow?: number;
  note?: string;
}

/** Count against the truth: the loads' keys vs WhatsApp's history vs the archive. */
export function judge(scenario: string, sent: Sent[], history: ReturnType<typeof engineHistory>, archived: Set<string>): Figures {
  const mine = history.filter((m) => m.fromMe === 1);
  const byBody = new Map<string, number>();
  for (const m of mine) byBody.set(m.body, (byBody.get(m.body) ?? 0) + 1);
  const lost = sent.filter((s) => !byBody.has(s.body) || (s.id !== null && !mine.some((m) => m.id === s.id))).length;
  const duplicated = [...byBody.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
  const answered = sent.filter((s) => s.id !== null);
  const archiveMissing = answered.filter((s) => !archived.has(s.id!)).length;
  return { scenario, messages: sent.length, lost, duplicated, archiveMissing };
}

export function printFigures(f: Figures): void {
  const extra = `${f.inWindow !== undefined ? `, received missing inside the documented window ${f.inWindow}` : ''}${f.note ? ` (${f.note})` : ''}`;
  process.stdout.write(
    `chaos figure | ${f.scenario.padEnd(34)} | messages ${String(f.messages).padStart(5)} | lost ${f.lost} | duplicated ${f.duplicated} | archive rows missing ${f.archiveMissing}${extra}\n`,
  );
}

export const randomMs = (min: number, max: number) => Math.round(min + Math.random() * (max - min));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A private MariaDB (own datadir, spare port), so the suite may stop, kill and freeze it. */
export class PrivateMariaDb {
  private child: ChildProcess | null = null;
  port = 0;

  constructor(readonly dir: string) {}

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}/wa_chaos`;
  }

  static available(): string | null {
    for (const bin of ['/usr/sbin/mariadbd', '/usr/bin/mariadb-install-db']) if (!fs.existsSync(bin)) return `${bin} is not installed`;
    return null;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Start (a no-op while it runs: scenarios leave it running for the next one). */
  async start(): Promise<void> {
    if (this.running) return;
    if (!fs.existsSync(path.join(this.dir, 'mysql'))) {
      execFileSync('/usr/bin/mariadb-install-db', ['--no-defaults', `--datadir=${this.dir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'], { stdio: 'ignore' });
    }
    this.port ||= await freePort();
    this.child = spawn('/usr/sbin/mariadbd', [
      '--no-defaults', `--datadir=${this.dir}`, `--port=${this.port}`, '--bind-address=127.0.0.1', `--socket=${path.join(this.dir, 'mysqld.sock')}`,
      '--user=root', '--skip-log-bin', '--innodb-buffer-pool-size=64M', `--pid-file=${path.join(this.dir, 'mysqld.pid')}`,
    ], { stdio: 'ignore' });
    await waitFor(async () => {
      const c = await mysql.createConnection({ host: '127.0.0.1', port: this.port, user: 'root', connectTimeout: 1000 }).catch(() => null);
      if (!c) return false;
      await c.end();
      return true;
    }, 60_000, 'private mariadbd up');
  }

  signal(sig: NodeJS.Signals): void {
    this.child?.kill(sig);
  }

  async stop(sig: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGCONT');
    child.kill(sig);
    await exited;
    this.child = null;
  }
}

/** A small tmpfs (a disk that fills up), or why the machine does not allow one. */
export function mountTmpfs(dir: string, sizeMb: number): string | null {
  if (process.platform !== 'linux') return `tmpfs needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (run the chaos suite as root)';
  fs.mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `mount -t tmpfs failed: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`;
  }
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

/** Fill a file system until a write fails (ENOSPC); returns the filler's path. */
export function fillDisk(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(256 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch {
    const small = Buffer.alloc(512, 1);
    try {
      for (;;) fs.writeSync(fd, small);
    } catch {
      // full
    }
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}
