// Keeps the sent-message ledger and the archive in step: at start, replays every sent message the
// archive may not have committed (the archive de-duplicates); then, now and then, marks what the
// archive has durably written, so the next start replays only the few newest.
import type { Logger } from 'pino';
import type { ArchiveStore } from '../archive/types.js';
import type { LedgerPort } from './sent-ledger.js';

const CONFIRM_EVERY_MS = 30_000;

export class ArchiveConfirmer {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly ledger: LedgerPort,
    private readonly archive: ArchiveStore,
    private readonly logger: Logger,
    everyMs = CONFIRM_EVERY_MS,
  ) {
    this.timer = setInterval(() => void this.confirm(), everyMs);
    this.timer.unref();
  }

  async replay(): Promise<void> {
    const rows = await this.ledger.unarchived();
    for (const { slot, message } of rows) this.archive.saveMessage(slot, message);
    if (rows.length) this.logger.info({ messages: rows.length }, 'archive: sent messages not confirmed as archived were written again');
  }

  /** After a flush with nothing failed or spooled, everything recorded before it is in the archive. */
  async confirm(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const before = Date.now();
    try {
      await this.archive.flush();
      const health = this.archive.health();
      if (health.ok) await this.ledger.markArchived(before);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'archive: could not confirm sent messages as archived');
    } finally {
      this.running = false;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
