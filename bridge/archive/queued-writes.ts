// The write half of ArchiveStore, the same for both backends: check the input, then queue an op
// for the batcher. The calls return at once and never throw (an engine event must not fail).
import type { Logger } from 'pino';
import type { Ack, ArchivedMessage, MediaRecord, PollVote } from '../domain/index.js';
import type { WriteBatcher } from './batcher.js';
import type { ArchiveOp } from './ops.js';
import { checkSlot } from './validate.js';

const nowSeconds = () => Math.floor(Date.now() / 1000);

export abstract class QueuedArchiveWrites {
  protected closed = false;
  protected abstract readonly batcher: WriteBatcher<ArchiveOp>;

  constructor(protected readonly log: Logger) {}

  /** The op for a new message; a backend may add work done off its writer (e.g. normalising). */
  protected messageOp(slot: number, message: ArchivedMessage): ArchiveOp {
    return { op: 'message', slot, message };
  }

  protected push(op: ArchiveOp): void {
    if (this.closed) {
      this.log.warn({ op: op.op }, 'archive: write after close ignored');
      return;
    }
    this.batcher.push(op);
  }

  saveMessage(slot: number, message: ArchivedMessage): void {
    if (!checkSlot(slot, this.log) || !message || typeof message.id !== 'string' || !message.id) return;
    this.push(this.messageOp(slot, message));
  }

  updateAck(slot: number, messageId: string, ack: Ack): void {
    if (!checkSlot(slot, this.log)) return;
    this.push({ op: 'ack', slot, id: messageId, ack });
  }

  saveEdit(slot: number, messageId: string, body: string): void {
    if (!checkSlot(slot, this.log)) return;
    this.push({ op: 'edit', slot, id: messageId, body: String(body ?? ''), at: nowSeconds() });
  }

  saveRevoke(slot: number, messageId: string): void {
    if (!checkSlot(slot, this.log)) return;
    this.push({ op: 'revoke', slot, id: messageId, at: nowSeconds() });
  }

  savePollVote(slot: number, vote: PollVote): void {
    if (!checkSlot(slot, this.log) || !vote) return;
    this.push({ op: 'vote', slot, vote });
  }

  saveMedia(slot: number, media: MediaRecord): void {
    if (!checkSlot(slot, this.log) || !media || typeof media.messageId !== 'string' || !media.messageId) return;
    this.push({ op: 'media', slot, media });
  }
}
