// The audit log in the cluster's shared database, with the node that did it. Recording does not
// hold up the request: the row is written in the background and a failure is logged.
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';
import type { AuditEntry, AuditStore } from '../../auth/audit.js';

export class MysqlAuditLog implements AuditStore {
  private readonly writes = new Set<Promise<void>>();

  constructor(
    private readonly pool: Pool,
    private readonly nodeId: string,
    private readonly logger: Logger,
  ) {}

  record(actor: string, action: string, detail: Record<string, unknown> | null, ip: string | null, at = Date.now()): void {
    const write = this.pool
      .query('INSERT INTO shared_audit (at, actor, action, detail, ip, node) VALUES (?, ?, ?, ?, ?, ?)', [at, actor, action, detail ? JSON.stringify(detail) : null, ip, this.nodeId])
      .then(() => undefined)
      .catch((err: unknown) => this.logger.error({ err: (err as Error).message, action }, 'audit: could not record an action in the shared database'))
      .finally(() => this.writes.delete(write));
    this.writes.add(write);
  }

  async recent(limit: number): Promise<AuditEntry[]> {
    await this.settled();
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT id, at, actor, action, detail, ip FROM shared_audit ORDER BY id DESC LIMIT ?', [limit]);
    return rows.map((r) => ({ id: Number(r.id), at: Number(r.at), actor: r.actor, action: r.action, detail: r.detail, ip: r.ip }));
  }

  /** Wait for the writes under way (before reading, and at stop). */
  async settled(): Promise<void> {
    await Promise.all([...this.writes]);
  }
}
