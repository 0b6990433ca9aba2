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

interface DeviceRow {
  id: string;
  name: string;
  token_hash: string;
  created_at: number;
  last_seen_at: number | null;
  slots: string | null;
  role: Role;
}

const scopeOf = (row: DeviceRow): Scope => ({ slots: row.slots === null ? null : (JSON.parse(row.slots) as number[]), role: row.role });
const slotsColumn = (slots: number[] | null) => (slots === null ? null : JSON.stringify([...new Set(slots)].sort((a, b) => a - b)));

export class TokenStore {
  private readonly adminHash: string;

  constructor(
    private readonly db: StateDb,
    adminToken: string,
  ) {
    this.adminHash = hashToken(adminToken);
  }

  /** Who holds this token, or null. */
  identify(token: string | undefined): Caller | null {
    if (!token) return null;
    const hash = hashToken(token);
    if (sameHash(hash, this.adminHash)) return { kind: 'admin', id: 'admin' };
    const row = this.db.prepare('SELECT * FROM devices WHERE token_hash = ?').get(hash) as DeviceRow | undefined;
    // The lookup is by hash (an index); the compare keeps the final check constant-time.
    if (!row || !sameHash(row.token_hash, hash)) return null;
    return { kind: 'device', id: row.id, scope: scopeOf(row) };
  }

  /** May this device see the slot (push, events)? Unknown ids are the admin's own registrations. */
  deviceMaySee(deviceId: string, slot: number): boolean {
    const row = this.db.prepare('SELECT * FROM devices WHERE id = ?').get(deviceId) as DeviceRow | undefined;
    if (!row) return deviceId === 'admin';
    const { slots } = scopeOf(row);
    return slots === null || slots.includes(slot);
  }

  touch(deviceId: string, now = Date.now()): void {
    this.db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?').run(now, deviceId);
  }

  createDevice(name: string, scope: Scope = { slots: null, role: 'manage' }, now = Date.now()): { deviceId: string; token: string } {
    const deviceId = crypto.randomUUID();
    const token = newToken();
    this.db
      .prepare('INSERT INTO devices (id, name, token_hash, created_at, slots, role) VALUES (?, ?, ?, ?, ?, ?)')
      .run(deviceId, name, hashToken(token), now, slotsColumn(scope.slots), scope.role);
    return { deviceId, token };
  }

  listDevices(): Device[] {
    return (this.db.prepare('SELECT * FROM devices ORDER BY created_at').all() as DeviceRow[]).map((row) => ({
      deviceId: row.id,
      name: row.name,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      ...scopeOf(row),
    }));
  }

  revokeDevice(deviceId: string): boolean {
    return this.db.prepare('DELETE FROM devices WHERE id = ?').run(deviceId).changes > 0;
  }
}
