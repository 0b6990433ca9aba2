// One log line per slot state change, in words (connect, QR shown, scanned, ready, disconnected
// with its reason, restarts, failure): the log screen's "lifecycle" lines.
import type { Logger } from 'pino';
import type { SlotState } from '../domain/index.js';

export interface LifecycleView {
  number: number;
  state: SlotState;
  lastError: string | null;
  phone: string | null;
}

const WORDS: Record<SlotState, string> = {
  STOPPED: 'slot stopped',
  STARTING: 'slot connecting',
  QR: 'QR shown, waiting for a scan',
  AUTHENTICATED: 'QR scanned, signing in',
  READY: 'slot ready',
  RECONNECTING: 'slot restarting',
  FAILED: 'slot failed',
};

export function logLifecycle(logger: Logger, slot: LifecycleView): void {
  const fields: Record<string, unknown> = { kind: 'lifecycle', slot: slot.number, state: slot.state };
  if (slot.state === 'READY' && slot.phone) fields.phone = slot.phone;
  if ((slot.state === 'RECONNECTING' || slot.state === 'FAILED' || slot.state === 'QR') && slot.lastError) fields.reason = slot.lastError;
  const level = slot.state === 'FAILED' ? 'warn' : 'info';
  logger[level](fields, WORDS[slot.state] ?? `slot ${slot.state}`);
}
