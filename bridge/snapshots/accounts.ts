// The last WhatsApp account seen READY on each slot, kept in `<data dir>/slot-accounts.json`, so a
// restore can refuse another account's snapshot and a logged-out slot is not brought back.
import fs from 'node:fs';
import path from 'node:path';

export const ACCOUNTS_FILE = 'slot-accounts.json';

interface Entry {
  wid: string | null;
  /** Logged out since: no snapshot may bring the old session back. */
  loggedOut: boolean;
  at: number;
}

export class AccountBook {
  #entries: Record<string, Entry> = {};
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, ACCOUNTS_FILE);
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      if (parsed && typeof parsed === 'object') this.#entries = parsed as Record<string, Entry>;
    } catch {
      // Missing or unreadable: every slot unknown (a restore then accepts any account).
    }
  }

  wid(slot: number): string | null {
    const wid = this.#entries[String(slot)]?.wid;
    return typeof wid === 'string' ? wid : null;
  }

  loggedOut(slot: number): boolean {
    return this.#entries[String(slot)]?.loggedOut === true;
  }

  setAccount(slot: number, wid: string): void {
    const current = this.#entries[String(slot)];
    if (current?.wid === wid && !current.loggedOut) return;
    this.#entries[String(slot)] = { wid, loggedOut: false, at: Date.now() };
    this.#save();
  }

  markLoggedOut(slot: number): void {
    this.#entries[String(slot)] = { wid: null, loggedOut: true, at: Date.now() };
    this.#save();
  }

  #save(): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.#entries, null, 2));
    fs.renameSync(tmp, this.file);
  }
}

/** `<digits>@c.us` from what the engine reports at READY. */
export function widOf(phone: string | null): string | null {
  if (!phone) return null;
  return phone.includes('@') ? phone : `${phone}@c.us`;
}
