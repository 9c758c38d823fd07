import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal confirmation for a destructive action (a native <dialog>: focus is trapped and Escape
 * cancels). `children` says exactly what will happen.
 */
export function ConfirmDialog(props: { open: boolean; title: string; confirmLabel: string; danger?: boolean; busy?: boolean; onConfirm(): void; onCancel(): void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (d === null) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onCancel={(e) => (e.preventDefault(), props.onCancel())}>
      <h2 id={titleId}>{props.title}</h2>
      <div className="dialog-body">{props.children}</div>
      <div className="actions">
        <button type="button" onClick={props.onCancel}>Cancel</button>
        <button type="button" className={props.danger === true ? 'danger' : 'primary'} disabled={props.busy === true} onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
