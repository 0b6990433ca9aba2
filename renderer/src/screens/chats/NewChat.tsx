// "New chat" in the chat screen's head; the dialog (and its phone-number rules) loads on first use.
import { lazy, Suspense, useState } from 'react';
import { useApp } from '../../state/app.js';
import { Icon } from '../../components/Icon.js';

const NewChatDialog = lazy(() => import('./NewChatDialog.js'));

export function NewChatButton({ defaultSlot }: { defaultSlot: number | undefined }) {
  const { t } = useApp();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="btn small primary" onClick={() => setOpen(true)} data-testid="new-chat">
        <Icon name="plus" size={16} />
        {t('newChat')}
      </button>
      {open && (
        <Suspense fallback={null}>
          <NewChatDialog defaultSlot={defaultSlot} onClose={() => setOpen(false)} />
        </Suspense>
      )}
    </>
  );
}

