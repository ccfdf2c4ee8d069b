'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { Button } from '@/components/ui/Button';
import { controlClass } from '@/components/ui/control';
import { EmptyState } from '@/components/ui/EmptyState';
import type { Comment } from '@/lib/review/comments';
import { addComment } from './api';
import { LocalTime } from './LocalTime';

const MAX = 4000;

/** The item's comments and a form to add one (Ctrl/⌘+Enter sends). */
export function CommentsPanel({ itemId, comments }: { itemId: number; comments: Comment[] }) {
  const router = useRouter();
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const field = useRef<HTMLTextAreaElement>(null);
  const text = draft.trim();

  const submit = async () => {
    if (!text || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await addComment(itemId, text);
      setDraft('');
      field.current?.blur(); // the page's keys work again
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="comments">
      {comments.length === 0 ? (
        <EmptyState look="inline" className="mb-3" message="No comments yet." />
      ) : (
        <ul className="mb-3 space-y-3">
          {comments.map((c) => (
            <li key={c.id} data-testid="comment" className="text-sm">
              <div className="flex items-baseline gap-2 text-xs text-neutral-500">
                <span className="text-neutral-300">{c.author}</span>
                <LocalTime at={c.createdAt} className="tabular-nums" />
              </div>
              <p className="mt-0.5 whitespace-pre-wrap break-words text-neutral-200">{c.body}</p>
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <textarea
          ref={field}
          id="item-comment"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) {
              e.preventDefault();
              void submit();
            } else if (e.key === 'Escape') {
              e.currentTarget.blur();
            }
          }}
          rows={3}
          maxLength={MAX + 200}
          placeholder="Add a comment for the team…"
          aria-label="New comment"
          className={controlClass('md', 'block w-full resize-y')}
        />
        <div className="mt-2 flex items-center gap-3">
          <Button type="submit" disabled={!text || busy || text.length > MAX}>
            {busy ? 'Adding…' : 'Add comment'}
          </Button>
          <span className="text-xs text-neutral-500">
            <kbd>Ctrl</kbd> <kbd>Enter</kbd>
          </span>
          {text.length > MAX - 200 && (
            <span className={`ml-auto text-xs tabular-nums ${text.length > MAX ? 'text-rose-300' : 'text-neutral-500'}`}>
              {text.length} / {MAX}
            </span>
          )}
        </div>
        {error && (
          <p role="alert" className="mt-2 text-sm text-rose-300">
            {error}
          </p>
        )}
      </form>
    </div>
  );
}
