/** Small shared pieces: status badges, the stacked bar of counts, labelled fields with their errors, a confirmation dialog. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { MESSAGE_STATUSES, type Counts } from './api/client.js';

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}

/** Counts by status as one stacked bar; the same numbers as text for screen readers and small screens. */
export function CountsBar({ counts }: { counts: Counts }) {
  const total = MESSAGE_STATUSES.reduce((sum, status) => sum + counts[status], 0);
  const summary = MESSAGE_STATUSES.map((status) => `${status} ${counts[status]}`).join(', ');
  return (
    <div class="counts">
      <div class="stacked" role="img" aria-label={`Messages: ${summary}`}>
        {total > 0 &&
          MESSAGE_STATUSES.filter((status) => counts[status] > 0).map((status) => (
            <span key={status} class={`seg seg-${status}`} style={{ width: `${(100 * counts[status]) / total}%` }} />
          ))}
      </div>
      <p class="legend">
        {MESSAGE_STATUSES.map((status) => (
          <span key={status} class="legend-item" data-status={status}>
            <i class={`dot seg-${status}`} aria-hidden="true" />
            {status} <b>{counts[status]}</b>
          </span>
        ))}
      </p>
    </div>
  );
}

/** How far the campaign is from startAt to endAt, as a fraction of that time. */
export function TimeProgress({ startAt, endAt, status }: { startAt: string; endAt: string; status: string }) {
  const start = Date.parse(startAt);
  const end = Date.parse(endAt);
  const fraction = status === 'finished' ? 1 : Math.min(1, Math.max(0, (Date.now() - start) / (end - start)));
  const label = `Time to end ${new Date(endAt).toLocaleString()}: ${Math.round(fraction * 100)}% elapsed`;
  return (
    <div class="progress-line">
      <progress max={100} value={Math.round(fraction * 100)} aria-label={label} />
      <small>ends {new Date(endAt).toLocaleString()}</small>
    </div>
  );
}

/** A labelled control with its error (from the server's problem+json) beside it, tied by aria-describedby. */
export function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} class="error" role="alert" data-field-error={id}>
          {error}
        </small>
      )}
    </div>
  );
}

export const describedBy = (id: string, error?: string, hint?: string) =>
  [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

/** A modal confirmation (the native dialog element: focus kept inside, Escape cancels). */
export function Confirm({
  open,
  title,
  body,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  body: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={onCancel}>
      <h2 id="confirm-title">{title}</h2>
      <p>{body}</p>
      <div class="actions">
        <button type="button" onClick={onCancel}>
          Keep it
        </button>
        <button type="button" class="danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
