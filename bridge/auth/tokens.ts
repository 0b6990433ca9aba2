// Admin and device tokens: random, stored hashed (SHA-256; they are high-entropy, so no slow KDF
// is needed), compared in constant time.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { StateDb } from '../state/db.js';
import type { Caller, Role, Scope } from './scope.js';

export type { Caller } from './scope.js';

export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export const ADMIN_TOKEN_FILE = 'admin-token';

/** The admin token: the configured one, else the one saved in the data dir, else a new one saved there. */
export function loadAdminToken(dataDir: string, configured?: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  if (fs.existsSync(file)) {
    const saved = fs.readFileSync(file, 'utf8').trim();
    if (saved.length >= 16) return saved;
  }
  const token = newToken();
  fs.writeFileSync(file, token + '\n', { mode: 0o600 });
  return token;
}

export interface Device {
  deviceId: string;
  name: string;
  createdAt: number;
  lastSeenAt: number | null;
  /** Allowed slots; null = every slot. */
  slots: number[] | null;
  role: Role;
}

/** A stored device (the same columns in SQLite and, in cluster mode, MySQL). */
export interface DeviceRow {
  id: string;
  name: string;
  token_hash: string;
  created_at: number;
  last_seen_at: number | null;
  slots: string | null;
  role: Role;
}

/** Where devices live: the local bridge.db, or in cluster mode the shared MySQL database. */
export interface DeviceRepo {
  byHash(hash: string): Promise<DeviceRow | undefined>;
  byId(id: string): Promise<DeviceRow | undefined>;
  touch(id: string, now: number): Promise<void>;
  insert(row: DeviceRow): Promise<void>;
  list(): Promise<DeviceRow[]>;
  remove(id: string): Promise<boolean>;
}

/** Devices in the local state database (single node). */
export class SqliteDeviceRepo implements DeviceRepo {
  constructor(private readonly db: StateDb) {}
  async byHash(hash: string) {
    return this.db.prepare('SELECT * FROM devices WHERE token_hash = ?').get(hash) as DeviceRow | undefined;
  }
  async byId(id: string) {
    return this.db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as DeviceRow | undefined;
  }
  async touch(id: string, now: number) {
    this.db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?').run(now, id);
  }
  async insert(r: DeviceRow) {
    this.db
      .prepare('INSERT INTO devices (id, name, token_hash, created_at, slots, role) VALUES (?, ?, ?, ?, ?, ?)')
      .run(r.id, r.name, r.token_hash, r.created_at, r.slots, r.role);
  }
  async list() {
    return this.db.prepare('SELECT * FROM devices ORDER BY created_at').all() as DeviceRow[];
  }
  async remove(id: string) {
    return this.db.prepare('DELETE FROM devices WHERE id = ?').run(id).changes > 0;
  }
}

const scopeOf = (row: DeviceRow): Scope => ({ slots: row.slots === null ? null : (JSON.parse(row.slots) as number[]), role: row.role });
const slotsColumn = (slots: number[] | null) => (slots === null ? null : JSON.stringify([...new Set(slots)].sort((a, b) => a - b)));

export class TokenStore {
  private readonly adminHash: string;
  private readonly repo: DeviceRepo;

  constructor(
    store: StateDb | DeviceRepo,
    adminToken: string,
  ) {
    this.adminHash = hashToken(adminToken);
    this.repo = 'prepare' in store ? new SqliteDeviceRepo(store) : store;
  }

  /** Who holds this token, or null. */
  async identify(token: string | undefined): Promise<Caller | null> {
    if (!token) return null;
    return this.identifyHash(hashToken(token));
  }

  /** Who holds the token with this hash, or null (sessions keep only the hash of the token that made them). */
  async identifyHash(hash: string): Promise<Caller | null> {
    if (sameHash(hash, this.adminHash)) return { kind: 'admin', id: 'admin' };
    const row = await this.repo.byHash(hash);
    // The lookup is by hash (an index); the compare keeps the final check constant-time.
    if (!row || !sameHash(row.token_hash, hash)) return null;
    return { kind: 'device', id: row.id, scope: scopeOf(row) };
  }

  /** May this device see the slot (push, events)? Unknown ids are the admin's own registrations. */
  async deviceMaySee(deviceId: string, slot: number): Promise<boolean> {
    const row = await this.repo.byId(deviceId);
    if (!row) return deviceId === 'admin';
    const { slots } = scopeOf(row);
    return slots === null || slots.includes(slot);
  }

  async touch(deviceId: string, now = Date.now()): Promise<void> {
    await this.repo.touch(deviceId, now);
  }

  async createDevice(name: string, scope: Scope = { slots: null, role: 'manage' }, now = Date.now()): Promise<{ deviceId: string; token: string }> {
    const deviceId = crypto.randomUUID();
    const token = newToken();
    await this.repo.insert({ id: deviceId, name, token_hash: hashToken(token), created_at: now, last_seen_at: null, slots: slotsColumn(scope.slots), role: scope.role });
    return { deviceId, token };
  }

  async listDevices(): Promise<Device[]> {
    return (await this.repo.list()).map((row) => ({
      deviceId: row.id,
      name: row.name,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      ...scopeOf(row),
    }));
  }

  revokeDevice(deviceId: string): Promise<boolean> {
    return this.repo.remove(deviceId);
  }
}
