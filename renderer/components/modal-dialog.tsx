// The console's modal: a native <dialog> shown with showModal(), so that focus stays inside and
// Escape cancels; it closes when its owner stops rendering it. Escape calls `onCancel`, which may
// ignore it (while the dialog's work is under way).
import { useEffect, useRef, type ReactNode } from 'react';

export function ModalDialog({
  className,
  labelledBy,
  onCancel,
  children,
}: {
  className: string;
  /** The id of the dialog's title. */
  labelledBy: string;
  onCancel: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className={className}
      aria-labelledby={labelledBy}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      {children}
    </dialog>
  );
}
