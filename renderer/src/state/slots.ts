// Live view of every slot: loaded once over REST, then kept current by `status` and `qr`
// broadcasts (no polling). A reconnect of the WebSocket reloads, since events may have been missed.
import type { Api } from '../api/client.js';
import type { Health, ServerEvent, SlotInfo, SlotQr, SlotState } from '../api/types.js';
import { toMs } from '../api/types.js';
import { Store } from './store.js';

export interface SlotView {
  slot: number;
  state: SlotState;
  ready: boolean;
  active: boolean;
  phone: string | null;
  name: string | null;
  /** ms since epoch the state began, when known. */
  since: number | null;
  lastError: string | null;
  restarts: number;
  qr: { src: string; expiresAt: number | null } | null;
}

function stateOf(info: SlotInfo): SlotState {
  if (info.state) return info.state;
  if (info.ready) return 'READY';
  if (info.hasQrCache) return 'QR';
  return info.active ? 'STARTING' : 'STOPPED';
}

export class SlotsModel {
  readonly slots = new Store<SlotView[]>([]);
  readonly health = new Store<Health | null>(null);
  readonly loaded = new Store(false);
  private loading: Promise<void> | null = null;

  constructor(private readonly api: Api, private readonly now: () => number = Date.now) {}

  refresh(): Promise<void> {
    if (this.loading) return this.loading;
    this.loading = (async () => {
      try {
        const [infos, health] = await Promise.all([
          this.api.get<SlotInfo[]>('/api/slots'),
          this.api.get<Health>('/api/health').catch(() => null),
        ]);
        if (health) this.health.set(health);
        const prev = new Map(this.slots.get().map((s) => [s.slot, s]));
        const views = infos.map((info): SlotView => {
          const h = health?.slots.find((x) => x.slot === info.slot);
          const old = prev.get(info.slot);
          const state = stateOf(info);
          return {
            slot: info.slot,
            state,
            ready: info.ready,
            active: info.active,
            phone: info.phone ?? null,
            name: info.name ?? null,
            since: info.since ? toMs(info.since) : old && old.state === state ? old.since : null,
            lastError: info.lastError ?? h?.lastError ?? null,
            restarts: h?.restarts ?? 0,
            qr: state === 'QR' ? (old?.qr ?? null) : null,
          };
        });
        this.slots.set(views);
        this.loaded.set(true);
        for (const v of views) if (v.state === 'QR' && !v.qr) void this.loadQr(v.slot);
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  /** Ask for the slot's current QR (with its expiry). 404/410 leave the card without one. */
  async loadQr(slot: number): Promise<void> {
    try {
      const qr = await this.api.get<SlotQr>(`/api/slots/${slot}/qr`);
      this.patch(slot, (s) => (s.state === 'QR' || s.state === 'STARTING' ? { qr: { src: qr.qrCode, expiresAt: qr.expiresAt ? toMs(qr.expiresAt) : null } } : {}));
    } catch {
      /* no QR right now: the next `qr` broadcast brings one */
    }
  }

  handle(event: ServerEvent): void {
    if (event.type === 'status') {
      const current = this.slots.get().find((s) => s.slot === event.slot);
      const changed = !current || current.state !== event.state;
      this.patch(event.slot, () => ({
        state: event.state,
        ready: event.ready,
        active: event.state !== 'STOPPED' && event.state !== 'FAILED',
        since: changed ? this.now() : current?.since ?? this.now(),
        ...(event.state === 'QR' ? {} : { qr: null }),
        ...(event.state === 'STOPPED' ? { lastError: null } : {}),
      }));
      // Phone, name and last error come with the slot list.
      if (event.state === 'READY' || event.state === 'FAILED' || event.state === 'STOPPED') void this.refresh();
    } else if (event.type === 'qr') {
      this.patch(event.slot, (s) => ({
        state: 'QR',
        active: true,
        since: s.state === 'QR' ? s.since : this.now(),
        qr: { src: event.qr, expiresAt: null },
      }));
      void this.loadQr(event.slot);
    }
  }

  patch(slot: number, fn: (s: SlotView) => Partial<SlotView>): void {
    this.slots.set((list) => list.map((s) => (s.slot === slot ? { ...s, ...fn(s) } : s)));
  }
}
