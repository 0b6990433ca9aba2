// Admin-app sign-in sessions: a token (admin or device) is exchanged once for a random session id
// that travels only in an HttpOnly cookie. Only hashes are stored: the id's (a stolen database
// cannot sign anyone in) and the token's that made the session — each use re-checks that token,
// so revoking the device (or changing the admin token) ends its sessions at once.
import type { StateDb } from '../state/db.js';
import { hashToken, newToken, type Caller, type TokenStore } from './tokens.js';

/** How long a session lasts from sign-in (the cookie's Max-Age too). */
export const SESSION_TTL_MS = 30 * 24 * 3600_000;
/** Expired rows are dropped at start and this often (identify refuses them anyway; this keeps the table small). */
export const SESSION_PRUNE_MS = 3600_000;

export interface SessionRow {
  id_hash: string;
  token_hash: string;
  /** The device whose token made it; null for the admin token. */
  device_id: string | null;
  created_at: number;
  expires_at: number;
}

/** Where sessions live: bridge.db, or in cluster mode the shared MySQL database (every node signs the same cookie in). */
export interface SessionRepo {
  insert(row: SessionRow): Promise<void>;
  byHash(idHash: string): Promise<SessionRow | undefined>;
  remove(idHash: string): Promise<boolean>;
  removeForDevice(deviceId: string): Promise<number>;
  removeExpired(now: number): Promise<number>;
}

export class SqliteSessionRepo implements SessionRepo {
  constructor(private readonly db: StateDb) {}
  async insert(r: SessionRow) {
    this.db
      .prepare('INSERT INTO sessions (id_hash, token_hash, device_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(r.id_hash, r.token_hash, r.device_id, r.created_at, r.expires_at);
  }
  async byHash(idHash: string) {
    return this.db.prepare('SELECT * FROM sessions WHERE id_hash = ?').get(idHash) as SessionRow | undefined;
  }
  async remove(idHash: string) {
    return this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash).changes > 0;
  }
  async removeForDevice(deviceId: string) {
    return this.db.prepare('DELETE FROM sessions WHERE device_id = ?').run(deviceId).changes;
  }
  async removeExpired(now: number) {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
  }
}

export interface Session {
  /** The hash of the id: what the server may log, store and compare. */
  idHash: string;
  caller: Caller;
  expiresAt: number;
}

export class SessionStore {
  private readonly repo: SessionRepo;
  private pruneTimer: NodeJS.Timeout | null = null;

  constructor(
    store: StateDb | SessionRepo,
    private readonly tokens: TokenStore,
    private readonly ttlMs = SESSION_TTL_MS,
  ) {
    this.repo = 'prepare' in store ? new SqliteSessionRepo(store) : store;
  }

  /** A new session for this token, or null when the token is not valid. The id is returned once, for the cookie. */
  async create(token: string, now = Date.now()): Promise<(Session & { id: string }) | null> {
    const tokenHash = hashToken(token);
    const caller = await this.tokens.identifyHash(tokenHash);
    if (!caller) return null;
    await this.repo.removeExpired(now);
    const id = newToken();
    const row: SessionRow = {
      id_hash: hashToken(id),
      token_hash: tokenHash,
      device_id: caller.kind === 'device' ? caller.id : null,
      created_at: now,
      expires_at: now + this.ttlMs,
    };
    await this.repo.insert(row);
    return { id, idHash: row.id_hash, caller, expiresAt: row.expires_at };
  }

  /** The live session behind this cookie value, or null (unknown, expired, or its token revoked). */
  async identify(id: string | undefined, now = Date.now()): Promise<Session | null> {
    if (!id) return null;
    const idHash = hashToken(id);
    const row = await this.repo.byHash(idHash);
    if (!row) return null; // (found by its primary key, the hash itself)
    if (row.expires_at <= now) {
      await this.repo.remove(idHash);
      return null;
    }
    // The token that made the session must still be good, with its current scope.
    const caller = await this.tokens.identifyHash(row.token_hash);
    if (!caller) {
      await this.repo.remove(idHash);
      return null;
    }
    return { idHash, caller, expiresAt: row.expires_at };
  }

  /** Sign out: the id stops working on every node. */
  async end(idHash: string): Promise<boolean> {
    return this.repo.remove(idHash);
  }

  /** Drop the expired rows now; how many went. */
  async prune(now = Date.now()): Promise<number> {
    return this.repo.removeExpired(now);
  }

  /**
   * Prune now and every `everyMs` (a timer that keeps no process alive), so sessions nobody signs
   * in again after do not stay in the table until the next sign-in. A failed round is reported and
   * the next one tries again.
   */
  startPruning(onError: (err: unknown) => void, everyMs = SESSION_PRUNE_MS): Promise<void> {
    this.stopPruning();
    const round = () => this.prune().then(() => undefined, onError);
    this.pruneTimer = setInterval(() => void round(), everyMs);
    this.pruneTimer.unref();
    return round();
  }

  stopPruning(): void {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pruneTimer = null;
  }

  /** A revoked device's sessions go with it (identify would refuse them anyway; this drops the rows). */
  async endForDevice(deviceId: string): Promise<number> {
    return this.repo.removeForDevice(deviceId);
  }
}
