// Modal dialogs on the native <dialog>: focus is trapped and Escape closes, for free.
import { useEffect, useRef, type ReactNode } from 'react';
import { useApp } from '../state/app.js';

export function Dialog(props: { open: boolean; onClose: () => void; title: string; children: ReactNode; testId?: string; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      className={props.wide ? 'dialog wide' : 'dialog'}
      aria-label={props.title}
      data-testid={props.testId}
      onClose={props.onClose}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      {props.open && (
        <>
          <h2 className="dialog-title">{props.title}</h2>
          {props.children}
        </>
      )}
    </dialog>
  );
}

export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const { t } = useApp();
  return (
    <Dialog open={props.open} onClose={props.onClose} title={props.title} testId="confirm-dialog">
      <p className="dialog-body">{props.body}</p>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={props.onClose} autoFocus>
          {t('cancel')}
        </button>
        <button
          type="button"
          className={props.danger ? 'btn danger' : 'btn primary'}
          data-testid="confirm-yes"
          onClick={() => {
            props.onConfirm();
            props.onClose();
          }}
        >
          {props.confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
