'use client';

import { diffWords } from 'diff';
import { useEffect, useRef, useState } from 'react';
import type { ReviewItem } from '@/lib/review/items';

const KIND_LABEL: Record<string, string> = {
  original: 'Original',
  rewrite: 'Rewrite',
  complex: 'Complex',
  human: 'Human edit',
};

/** Word-level diff from one instruction to another: removed struck through, added highlighted. */
export function WordDiff({ from, to }: { from: string; to: string }) {
  return (
    <span data-testid="instruction-diff">
      {diffWords(from, to).map((part, i) =>
        part.added ? (
          <ins key={i} className="mx-px rounded-sm bg-emerald-500/20 px-0.5 text-emerald-200 no-underline">
            {part.value}
          </ins>
        ) : part.removed ? (
          <del key={i} className="mx-px rounded-sm bg-rose-500/15 px-0.5 text-rose-300/90 decoration-rose-400/60">
            {part.value}
          </del>
        ) : (
          <span key={i}>{part.value}</span>
        ),
      )}
    </span>
  );
}

/**
 * The instruction the verdict applies to, its other versions with a diff against the
 * first (original) one, and an editor that saves the reviewer's text as a new version.
 */
export function InstructionPanel({
  item,
  chosenId,
  onChoose,
  editing,
  onEditDone,
  onSave,
}: {
  item: ReviewItem;
  chosenId: number;
  onChoose: (id: number) => void;
  editing: boolean;
  onEditDone: () => void;
  onSave: (text: string) => Promise<void>;
}) {
  const chosen = item.instructions.find((v) => v.id === chosenId) ?? item.instructions.at(-1)!;
  const base = item.instructions[0];
  const [draft, setDraft] = useState(chosen.text);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();
  const textarea = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (editing) {
      setDraft(chosen.text);
      setError(undefined);
      requestAnimationFrame(() => textarea.current?.select());
    }
  }, [editing, chosen.text]);

  const save = async () => {
    if (!draft.trim() || draft.trim() === chosen.text) return onEditDone();
    setSaving(true);
    try {
      await onSave(draft.trim());
      onEditDone();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="min-w-0 flex-1">
      {editing ? (
        <div>
          <textarea
            ref={textarea}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') onEditDone();
              if (e.key === 'Enter' && (e.metaKey || e.ctrlKey || !e.shiftKey)) {
                e.preventDefault();
                void save();
              }
              e.stopPropagation();
            }}
            rows={2}
            aria-label="Edit instruction"
            className="w-full resize-none rounded-md border border-neutral-600 bg-neutral-900 px-3 py-2 text-lg leading-snug text-neutral-50 outline-none focus:border-neutral-400"
          />
          <p className="mt-1 text-xs text-neutral-500">
            <kbd>Enter</kbd> save as a new version · <kbd>Shift</kbd>+<kbd>Enter</kbd> new line · <kbd>Esc</kbd> cancel
            {saving && ' · saving…'}
            {error && <span className="text-rose-400"> · {error}</span>}
          </p>
        </div>
      ) : (
        <p className="text-lg leading-snug text-neutral-50" data-testid="instruction">
          {chosen.text}
        </p>
      )}
      {item.instructions.length > 1 && (
        <div className="mt-3 space-y-1.5 text-sm" role="radiogroup" aria-label="Instruction version the verdict applies to">
          {item.instructions.map((version) => (
            <label key={version.id} className="flex cursor-pointer items-baseline gap-2">
              <input
                type="radio"
                name={`instruction-${item.id}`}
                checked={version.id === chosen.id}
                onChange={() => onChoose(version.id)}
                className="translate-y-0.5 accent-neutral-200"
              />
              <span className="w-24 shrink-0 text-xs uppercase tracking-wide text-neutral-500">
                {KIND_LABEL[version.kind] ?? version.kind}
              </span>
              <span className={version.id === chosen.id ? 'text-neutral-200' : 'text-neutral-400'}>
                {version === base ? version.text : <WordDiff from={base.text} to={version.text} />}
              </span>
              {version.id === item.currentInstructionId && (
                <span className="shrink-0 rounded bg-neutral-800 px-1.5 py-0.5 text-[10px] uppercase tracking-wide text-neutral-400">
                  current
                </span>
              )}
            </label>
          ))}
        </div>
      )}
    </div>
  );
}
