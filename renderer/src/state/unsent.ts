// Messages the bridge did not take: kept (across chats and screens) with Retry and "Queue until
// connected" instead of a bare red mark that vanishes. Every attempt of one message carries the
// same idempotencyKey, so a retry after a lost reply never sends it twice. A queued message goes
// out with `queue: true` as soon as the live link is back, and the bridge's durable outbox holds
// it until its number is ready.
import type { Api } from '../api/client.js';
import { ApiError } from '../api/client.js';
import type { BridgeLink } from '../api/ws.js';
import type { Message, ServerEvent } from '../api/types.js';
import { Store } from './store.js';

export type UnsentState = 'failed' | 'sending' | 'waiting' | 'outbox';

export interface Unsent {
  /** The local row (id `local-…`), as shown in the chat. */
  row: Message;
  slot: number;
  chatId: string;
  route: '/api/send' | '/api/send-media' | '/api/send-poll';
  body: Record<string, unknown>;
  state: UnsentState;
  error: unknown;
  outboxId?: string;
  /** The bridge's outbox failed it as unconfirmed: WhatsApp may have it, a person should look first. */
  unconfirmed?: boolean;
  /** Sends after an outbox failure: each is a new attempt with its own key (the old key answers the failed entry). */
  attempt?: number;
}

type SendReply = { messageId?: string; queued?: boolean; outboxId?: string };

export class UnsentModel {
  readonly items = new Store<Unsent[]>([]);
  /** Told when a kept message finally went out (the chat swaps the local row for the real one). */
  onSent: ((item: Unsent, messageId: string) => void) | null = null;

  constructor(private readonly api: Api, private readonly link: BridgeLink) {}

  /** Wire to the live link: queued ones go out on reconnect; the outbox reports back. */
  start(): () => void {
    const offState = this.link.onState((s) => {
      if (s === 'open') for (const u of this.items.get()) if (u.state === 'waiting') void this.send(u.row.id, true);
    });
    const offEvent = this.link.on((e: ServerEvent) => {
      if (e.type === 'outbox_sent') {
        const u = this.items.get().find((x) => x.outboxId === e.outboxId);
        if (u) {
          this.remove(u.row.id);
          this.onSent?.(u, e.messageId);
        }
      } else if (e.type === 'outbox_failed') {
        const u = this.items.get().find((x) => x.outboxId === e.outboxId);
        if (u) {
          const attempt = (u.attempt ?? 0) + 1;
          this.patch(u.row.id, { state: 'failed', error: new ApiError('SEND_FAILED', e.error, 0), unconfirmed: e.unconfirmed === true, attempt, outboxId: undefined });
        }
      }
    });
    return () => {
      offState();
      offEvent();
    };
  }

  forChat(slot: number, chatId: string): Unsent[] {
    return this.items.get().filter((u) => u.slot === slot && u.chatId === chatId);
  }

  keep(item: Omit<Unsent, 'state'>): void {
    this.items.set((list) => [...list.filter((u) => u.row.id !== item.row.id), { ...item, state: 'failed' }]);
  }

  discard(localId: string): void {
    this.remove(localId);
  }

  /** Retry now; `queue` asks the bridge to hold it in its outbox if the number is not ready. */
  async send(localId: string, queue = false): Promise<string | null> {
    const u = this.items.get().find((x) => x.row.id === localId);
    if (!u || u.state === 'sending') return null;
    this.patch(localId, { state: 'sending', unconfirmed: false });
    try {
      const r = await this.api.post<SendReply>(u.route, { ...u.body, idempotencyKey: attemptKey(u), ...(queue ? { queue: true } : {}) });
      if (r.queued && r.outboxId) {
        this.patch(localId, { state: 'outbox', outboxId: r.outboxId });
        return null;
      }
      this.remove(localId);
      if (r.messageId) this.onSent?.(u, r.messageId);
      return r.messageId ?? null;
    } catch (err) {
      // Asked to queue while the bridge is away: keep waiting for the link instead of failing.
      this.patch(localId, { state: queue && isUnreachable(err) ? 'waiting' : 'failed', error: err });
      return null;
    }
  }

  /** Queue until connected: now if the link is up, else as soon as it is. */
  queue(localId: string): void {
    if (this.link.state === 'open') void this.send(localId, true);
    else this.patch(localId, { state: 'waiting' });
  }

  private patch(localId: string, fields: Partial<Unsent>): void {
    this.items.set((list) => list.map((u) => (u.row.id === localId ? { ...u, ...fields } : u)));
  }

  private remove(localId: string): void {
    this.items.set((list) => list.filter((u) => u.row.id !== localId));
  }
}

/** The first attempts share the row's id as key; after an outbox failure each Retry is a new send. */
function attemptKey(u: Unsent): string {
  return u.attempt ? `${u.row.id}~${u.attempt}` : u.row.id;
}

function isUnreachable(err: unknown): boolean {
  return err instanceof ApiError && (err.code === 'NETWORK' || err.status === 0 || err.status >= 502);
}
