// Jump to a message (from search) in a live or archived thread: page back until it is loaded, then
// flash it (MessageList brings the flashed message into view and holds it there).
import { useEffect, useRef, useState } from 'react';
import type { Message } from '../../api/types.js';

/** How long a found message stays flashed. */
const FLASH_MS = 2600;

/**
 * `canLoadOlder`: an older page may be asked for now (there are more, none is on its way, no
 * error); `loadOlder` asks for it. Returns the message to flash, and whether the hunt is still on.
 */
export function useHuntMessage(
  focusId: string | null,
  messages: Message[] | null,
  canLoadOlder: boolean,
  loadOlder: () => unknown,
): { flashId: string | null; hunting: boolean } {
  const [flashId, setFlashId] = useState<string | null>(null);
  const hunted = useRef<string | null>(null);
  useEffect(() => {
    if (!focusId || !messages || hunted.current === focusId) return;
    if (messages.some((m) => m.id === focusId)) {
      hunted.current = focusId;
      setFlashId(focusId);
      return;
    }
    if (canLoadOlder) void loadOlder();
  }, [focusId, messages, canLoadOlder, loadOlder]);
  // The flash fades on its own clock: the hunt's effect re-runs on every change of the list, and a
  // timer kept there was cleared by the next one, leaving the hit flashed for good.
  useEffect(() => {
    if (!flashId) return;
    const id = setTimeout(() => setFlashId(null), FLASH_MS);
    return () => clearTimeout(id);
  }, [flashId]);
  return { flashId, hunting: !!focusId && hunted.current !== focusId };
}
