'use client';

import { keyName, REVIEW_KEYS } from '@/components/keymap';
import { REJECT_REASONS, type RejectReason } from '@/lib/review/reasons';

/** A reject in progress: the reasons to toggle (by number), then Reject or Cancel. Keys as in the keymap. */
export function RejectPicker({
  reasons,
  onToggle,
  onReject,
  onCancel,
}: {
  reasons: readonly RejectReason[];
  onToggle: (tag: RejectReason) => void;
  onReject: () => void;
  onCancel: () => void;
}) {
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="reject-reasons">
      <span className="mr-1 text-sm text-rose-300">Reject because</span>
      {REJECT_REASONS.map((reason, i) => (
        <button
          key={reason.tag}
          aria-pressed={reasons.includes(reason.tag)}
          onClick={() => onToggle(reason.tag)}
          className={`rounded-md border px-2.5 py-1.5 text-sm ${
            reasons.includes(reason.tag)
              ? 'border-rose-400 bg-rose-500/20 text-rose-100'
              : 'border-neutral-700 text-neutral-300 hover:border-neutral-500'
          }`}
        >
          <kbd className="mr-1.5">{REVIEW_KEYS.toggleReason.keys[i]}</kbd>
          {reason.label}
        </button>
      ))}
      <button onClick={onReject} className="rounded-md bg-rose-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-rose-700">
        Reject <kbd className="ml-1 border-rose-400 bg-rose-700 text-rose-50">{keyName(REVIEW_KEYS.confirmReject.keys[0])}</kbd>
      </button>
      <button onClick={onCancel} className="px-2 text-sm text-neutral-500 hover:text-neutral-200">
        Cancel <kbd>{keyName(REVIEW_KEYS.cancelReject.keys[0])}</kbd>
      </button>
    </div>
  );
}
