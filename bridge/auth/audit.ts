// The audit log of admin actions: who, what, when, from where. Kept in the local state database,
// or in cluster mode in the shared MySQL database (bridge/cluster/shared/audit.ts).
import type { StateDb } from '../state/db.js';

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  detail: string | null;
  ip: string | null;
}

export interface AuditStore {
  /** Written at once locally; in cluster mode sent to MySQL in the background (a failure is logged). */
  record(actor: string, action: string, detail: Record<string, unknown> | null, ip: string | null, at?: number): void;
  recent(limit: number): Promise<AuditEntry[]>;
}

export class AuditLog implements AuditStore {
  constructor(private readonly db: StateDb) {}

  record(actor: string, action: string, detail: Record<string, unknown> | null, ip: string | null, at = Date.now()): void {
    this.db
      .prepare('INSERT INTO audit (at, actor, action, detail, ip) VALUES (?, ?, ?, ?, ?)')
      .run(at, actor, action, detail ? JSON.stringify(detail) : null, ip);
  }

  async recent(limit: number): Promise<AuditEntry[]> {
    return this.db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit) as AuditEntry[];
  }
}
