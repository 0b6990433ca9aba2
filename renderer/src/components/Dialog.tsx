// Modal dialogs on the native <dialog>: focus is trapped and Escape closes, for free.
import { useEffect, useRef, type ReactNode } from 'react';
import { useApp } from '../state/app.js';

function restoreFocus(opener: { current: Element | null }): void {
  const back = opener.current;
  opener.current = null;
  if (!back) return;
  // After React has removed the dialog.
  queueMicrotask(() => {
    if (back instanceof HTMLElement && back.isConnected) back.focus();
    else document.getElementById('main')?.focus();
  });
}

export function Dialog(props: { open: boolean; onClose: () => void; title: string; children: ReactNode; testId?: string; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) {
      opener.current = document.activeElement;
      d.showModal();
    }
    if (!props.open && d.open) d.close();
  }, [props.open]);
  // When it closes (or is unmounted open), focus goes back where it was, or to the main content
  // if that is gone: the keyboard is never left on nothing.
  useEffect(() => {
    if (!props.open) restoreFocus(opener);
  }, [props.open]);
  useEffect(() => () => restoreFocus(opener), []);
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
