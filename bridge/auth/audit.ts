// The audit log of admin actions: who, what, when, from where.
import type { StateDb } from '../state/db.js';

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  detail: string | null;
  ip: string | null;
}

export class AuditLog {
  constructor(private readonly db: StateDb) {}

  record(actor: string, action: string, detail: Record<string, unknown> | null, ip: string | null, at = Date.now()): void {
    this.db
      .prepare('INSERT INTO audit (at, actor, action, detail, ip) VALUES (?, ?, ?, ?, ?)')
      .run(at, actor, action, detail ? JSON.stringify(detail) : null, ip);
  }

  recent(limit: number): AuditEntry[] {
    return this.db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit) as AuditEntry[];
  }
}
