// The unread total on the desktop: what each OS shows for it (tray title and tooltip, the dock or
// launcher count, Windows' taskbar overlay), decided here; tray.ts and main.ts only apply it.

/** Above this the badge reads "99+", as messengers do. */
const SHOWN_MAX = 99;

/** The count the page reports (IPC input, untrusted): a whole number 0..1,000,000, else null. */
export function parseUnreadCount(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 1_000_000 ? value : null;
}

export interface UnreadBadge {
  count: number;
  /** '' when nothing is unread, else "3" or "99+". */
  label: string;
  /** Added to the tray tooltip, e.g. "3 unread messages"; null when nothing is unread. */
  tooltip: string | null;
  /** Text beside the tray icon (macOS menu bar, Linux indicators); '' clears it. */
  trayTitle: string;
  /** `app.setBadgeCount` (macOS dock, Linux launchers); null where the OS has no such badge (Windows). */
  badgeCount: number | null;
  /** Windows: an overlay dot on the taskbar button, with its spoken description; null clears it. */
  overlay: { description: string } | null;
}

export function unreadBadge(count: number, platform: NodeJS.Platform): UnreadBadge {
  const n = Math.max(0, Math.floor(count));
  const label = n === 0 ? '' : n > SHOWN_MAX ? `${SHOWN_MAX}+` : String(n);
  const words = n === 1 ? '1 unread message' : `${n} unread messages`;
  const windows = platform === 'win32';
  return {
    count: n,
    label,
    tooltip: n === 0 ? null : words,
    trayTitle: windows ? '' : label,
    badgeCount: windows ? null : n,
    overlay: windows && n > 0 ? { description: words } : null,
  };
}

/** Where a badge goes; main.ts hands in the Electron calls. */
export interface BadgeTargets {
  setTrayTitle(title: string): void;
  setBadgeCount(count: number): void;
  /** Windows only: show (description) or clear (null) the overlay. */
  setOverlay(overlay: { description: string } | null): void;
}

/** Apply a badge; unchanged values are not applied again (the page reports on every render). */
export function badgeApplier(targets: BadgeTargets): (badge: UnreadBadge) => void {
  let last: UnreadBadge | null = null;
  return (badge) => {
    if (last?.trayTitle !== badge.trayTitle) targets.setTrayTitle(badge.trayTitle);
    if (badge.badgeCount !== null && last?.badgeCount !== badge.badgeCount) targets.setBadgeCount(badge.badgeCount);
    if (last?.overlay?.description !== badge.overlay?.description) targets.setOverlay(badge.overlay);
    last = badge;
  };
}

/** A red dot (BGRA pixels, for nativeImage.createFromBitmap): the Windows overlay icon. */
export function dotBitmap(size = 16): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const r = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x + 0.5 - r, y + 0.5 - r);
      // Edge pixels half covered: a smooth rim at small sizes.
      const alpha = Math.round(255 * Math.min(1, Math.max(0, r - d + 0.5)));
      const i = (y * size + x) * 4;
      pixels[i] = 0x2d; // B
      pixels[i + 1] = 0x2d; // G
      pixels[i + 2] = 0xd9; // R
      pixels[i + 3] = alpha;
    }
  }
  return pixels;
}
