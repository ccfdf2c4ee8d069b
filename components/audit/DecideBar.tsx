'use client';

import type { RefObject } from 'react';
import { AUDIT_KEYS, shownKeys } from '@/components/keymap';
import { Input } from '@/components/ui/Input';

const KBD = 'border-current/30 bg-black/20 text-current opacity-80';

/** Pass, Fail and the note, under the rubric; dimmed until all three scales are scored. Keys as in the keymap. */
export function DecideBar(props: {
  scored: boolean;
  sending: boolean;
  onSubmit: (pass: boolean) => void;
  note: string;
  onNote: (note: string) => void;
  noteRef: RefObject<HTMLInputElement | null>;
}) {
  const { scored, sending, onSubmit } = props;
  return (
    <div className="mx-auto mt-3 flex max-w-6xl flex-wrap items-center gap-2">
      <button
        data-testid="audit-pass"
        onClick={() => onSubmit(true)}
        disabled={sending}
        className={`flex items-center gap-2 rounded-md px-3 py-1.5 text-sm font-medium ${
          scored ? 'bg-emerald-700 text-white hover:bg-emerald-800' : 'bg-emerald-900/40 text-emerald-200/70'
        }`}
      >
        Pass <kbd className={KBD}>{shownKeys(AUDIT_KEYS.pass)}</kbd>
      </button>
      <button
        data-testid="audit-fail"
        onClick={() => onSubmit(false)}
        disabled={sending}
        className={`flex items-center gap-2 rounded-md px-3 py-1.5 text-sm font-medium ${
          scored ? 'bg-rose-600 text-white hover:bg-rose-700' : 'bg-rose-900/40 text-rose-200/70'
        }`}
      >
        Fail <kbd className={KBD}>{shownKeys(AUDIT_KEYS.fail)}</kbd>
      </button>
      <label className="ml-4 flex min-w-64 flex-1 items-center gap-2 text-sm text-neutral-500">
        <kbd>{shownKeys(AUDIT_KEYS.note)}</kbd>
        <Input
          ref={props.noteRef}
          value={props.note}
          onChange={(e) => props.onNote(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === 'Escape') {
              e.preventDefault();
              e.currentTarget.blur();
            }
          }}
          maxLength={4000}
          placeholder="Note (optional): what is wrong, what to look at"
          aria-label="Audit note"
          className="w-full"
        />
      </label>
    </div>
  );
}
