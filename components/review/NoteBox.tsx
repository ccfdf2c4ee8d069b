'use client';

import { useState } from 'react';

/**
 * A note on the item for the leads (a comment: leads and its author see it). Enter saves,
 * Shift+Enter is a new line, Esc closes.
 */
export function NoteBox({ onSave, onClose }: { onSave: (text: string) => Promise<void>; onClose: () => void }) {
  const [text, setText] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();

  const save = async () => {
    if (!text.trim() || saving) return;
    setSaving(true);
    try {
      await onSave(text.trim());
      onClose();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setSaving(false);
    }
  };

  return (
    <div className="flex w-full max-w-2xl items-start gap-2" data-testid="note-box">
      <textarea
        autoFocus
        rows={2}
        maxLength={4000}
        value={text}
        aria-label="Note for the leads"
        placeholder="Note for the leads (Enter saves, Shift+Enter new line, Esc closes)"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            void save();
          }
        }}
        className="min-h-[2.5rem] flex-1 rounded-md border border-neutral-700 bg-neutral-950 px-2 py-1.5 text-sm text-neutral-100 placeholder:text-neutral-600"
      />
      <button
        onClick={() => void save()}
        disabled={saving || !text.trim()}
        className="rounded-md bg-neutral-100 px-3 py-1.5 text-sm font-medium text-neutral-900 hover:bg-white disabled:opacity-40"
      >
        Save note
      </button>
      {error && <span className="text-sm text-amber-300">{error}</span>}
    </div>
  );
}
