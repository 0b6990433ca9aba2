// The tray's view of the slots: a board fed by status events, the words for each state, and
// the tray menu built from them (plain objects; main.ts hands them to Menu.buildFromTemplate).
import type { MenuItemConstructorOptions } from 'electron';
import type { UpdateMenuItem } from './updates.js';
import { SLOT_STATES, type SlotState } from '../bridge/domain/index.js';

const WORDS: Record<SlotState, string> = {
  STOPPED: 'off',
  STARTING: 'starting',
  QR: 'waiting for QR scan',
  AUTHENTICATED: 'logging in',
  READY: 'ready',
  RECONNECTING: 'reconnecting',
  FAILED: 'failed (open the app)',
};

export function describeState(state: SlotState): string {
  return WORDS[state];
}

/** The latest state of each slot 1..total (STOPPED until told otherwise). */
export class SlotBoard {
  private readonly states: SlotState[];

  constructor(readonly total: number) {
    if (!Number.isInteger(total) || total < 1) throw new RangeError(`slot count must be a positive integer, got ${total}`);
    this.states = Array.from({ length: total }, () => 'STOPPED' as SlotState);
  }

  /** Apply one status; returns true when something changed. Unknown slots or states are ignored. */
  set(slot: number, state: string): boolean {
    if (!Number.isInteger(slot) || slot < 1 || slot > this.total) return false;
    if (!(SLOT_STATES as readonly string[]).includes(state)) return false;
    if (this.states[slot - 1] === state) return false;
    this.states[slot - 1] = state as SlotState;
    return true;
  }

  /** Seed from GET /api/slots rows (state when given, else ready/active). */
  seed(rows: unknown): boolean {
    if (!Array.isArray(rows)) return false;
    let changed = false;
    for (const row of rows as Array<Record<string, unknown>>) {
      if (!row || typeof row.slot !== 'number') continue;
      const state = typeof row.state === 'string' ? row.state : row.ready ? 'READY' : row.active ? 'STARTING' : 'STOPPED';
      changed = this.set(row.slot, state) || changed;
    }
    return changed;
  }

  list(): Array<{ slot: number; state: SlotState }> {
    return this.states.map((state, i) => ({ slot: i + 1, state }));
  }
}

export interface TraySummary {
  /** One line, e.g. "2 of 6 ready · 1 waiting for QR scan · 1 failed". */
  headline: string;
  /** Tooltip: product name and the headline. */
  tooltip: string;
  /** One line per slot, e.g. "Slot 3: reconnecting". */
  lines: string[];
  /** Anything needing the owner's attention (QR to scan, failure). */
  needsAttention: boolean;
}

export function summarizeSlots(slots: Array<{ slot: number; state: SlotState }>, productName = 'WA Bridge'): TraySummary {
  const count = (s: SlotState): number => slots.filter((x) => x.state === s).length;
  const ready = count('READY');
  const parts = [`${ready} of ${slots.length} ready`];
  const qr = count('QR');
  const failed = count('FAILED');
  const busy = count('STARTING') + count('AUTHENTICATED') + count('RECONNECTING');
  if (qr) parts.push(`${qr} waiting for QR scan`);
  if (busy) parts.push(`${busy} connecting`);
  if (failed) parts.push(`${failed} failed`);
  const headline = parts.join(' · ');
  return {
    headline,
    tooltip: `${productName}: ${headline}`,
    lines: slots.map(({ slot, state }) => `Slot ${slot}: ${describeState(state)}`),
    needsAttention: qr + failed > 0,
  };
}

/** The summary with the unread total (electron/unread-badge.ts words) in its tooltip and first line. */
export function withUnread(summary: TraySummary, unread: string | null): TraySummary {
  if (!unread) return summary;
  return { ...summary, headline: `${unread} · ${summary.headline}`, tooltip: `${summary.tooltip} · ${unread}` };
}

export interface TrayMenuActions {
  open(): void;
  toggleOpenAtLogin(enabled: boolean): void;
  quit(): void;
}

/** The updates part of the menu (electron/updates.ts decides the item). */
export interface TrayUpdates {
  item: UpdateMenuItem;
  /** A feed is configured, so the switch means something. */
  configured: boolean;
  automatic: boolean;
  check(): void;
  install(): void;
  toggleAutomatic(enabled: boolean): void;
}

function updateItems(updates: TrayUpdates): MenuItemConstructorOptions[] {
  const { item } = updates;
  return [
    { label: item.label, enabled: item.enabled, click: () => (item.action === 'install' ? updates.install() : item.action === 'check' ? updates.check() : undefined) },
    { label: 'Automatic updates', type: 'checkbox', checked: updates.configured && updates.automatic, enabled: updates.configured, click: (menuItem) => updates.toggleAutomatic(menuItem.checked) },
  ];
}

export function buildTrayMenu(
  summary: TraySummary,
  login: { openAtLogin: boolean; supported: boolean },
  actions: TrayMenuActions,
  updates?: TrayUpdates,
): MenuItemConstructorOptions[] {
  return [
    { label: summary.headline, enabled: false },
    ...summary.lines.map((label): MenuItemConstructorOptions => ({ label, enabled: false })),
    { type: 'separator' },
    { label: 'Open WA Bridge', click: () => actions.open() },
    {
      label: 'Start at login',
      type: 'checkbox',
      checked: login.openAtLogin,
      enabled: login.supported,
      click: (item) => actions.toggleOpenAtLogin(item.checked),
    },
    ...(updates ? updateItems(updates) : []),
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ];
}
