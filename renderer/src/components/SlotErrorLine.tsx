// A slot's last error in the owner's language (slot cards and Health).
import { useApp } from '../state/app.js';
import { explainSlotError } from '../lib/slot-error.js';

/** The slot's last error in the owner's language, the bridge's words kept as a detail. */
export function SlotErrorLine({ raw }: { raw: string }) {
  const { t } = useApp();
  const { text, detail } = explainSlotError(raw, t);
  return (
    <>
      <span data-testid="slot-error-text">{text}</span>
      {detail && (
        <span className="fine slot-error-detail" dir="ltr" data-testid="slot-error-detail">
          {' '}
          ({detail})
        </span>
      )}
    </>
  );
}
