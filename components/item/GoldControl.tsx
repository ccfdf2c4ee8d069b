'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { ItemStatus } from '@/db/schema';
import { markGold, unmarkGold } from './api';

type Expected = 'accept' | 'reject';

/**
 * Marks a decided item as gold with its expected verdict, changes that answer, or unmarks it
 * (PUT / DELETE /api/items/:id/gold). Undecided items cannot be gold.
 */
export function GoldControl({ itemId, status, gold }: { itemId: number; status: ItemStatus; gold: Expected | null }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const decided: Expected | undefined = status === 'accepted' ? 'accept' : status === 'rejected' ? 'reject' : undefined;

  const run = async (method: 'PUT' | 'DELETE', expected?: Expected) => {
    setBusy(true);
    setError(undefined);
    try {
      await (method === 'PUT' ? markGold(itemId, { expected }) : unmarkGold(itemId));
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const button = 'rounded-md border px-2.5 py-1 text-sm disabled:opacity-40';
  return (
    <div data-testid="gold-control">
      {!decided && !gold ? (
        <p className="text-sm text-neutral-500">Only decided (accepted or rejected) items can be gold.</p>
      ) : gold ? (
        <div className="flex flex-wrap items-center gap-2">
          <span className="rounded bg-yellow-500/15 px-1.5 py-0.5 text-xs text-yellow-200" data-testid="gold-expected">
            gold · expected {gold}
          </span>
          <button
            disabled={busy}
            onClick={() => run('PUT', gold === 'accept' ? 'reject' : 'accept')}
            className={`${button} border-neutral-700 text-neutral-300 hover:bg-neutral-800`}
          >
            Expect {gold === 'accept' ? 'reject' : 'accept'}
          </button>
          <button
            disabled={busy}
            onClick={() => run('DELETE')}
            className={`${button} border-neutral-800 text-neutral-400 hover:bg-neutral-800`}
            data-testid="gold-unmark"
          >
            Unmark
          </button>
        </div>
      ) : (
        <div className="flex flex-wrap items-center gap-2">
          <span className="text-sm text-neutral-400">Mark as gold, expecting</span>
          {(['accept', 'reject'] as const).map((expected) => (
            <button
              key={expected}
              disabled={busy}
              onClick={() => run('PUT', expected)}
              data-testid={`gold-mark-${expected}`}
              className={`${button} ${
                expected === decided
                  ? 'border-yellow-500/50 text-yellow-100 hover:bg-yellow-500/10'
                  : 'border-neutral-700 text-neutral-300 hover:bg-neutral-800'
              }`}
              title={expected === decided ? 'The decided verdict' : 'Not the decided verdict'}
            >
              {expected}
            </button>
          ))}
        </div>
      )}
      {error && (
        <p role="alert" className="mt-2 text-sm text-rose-300">
          {error}
        </p>
      )}
    </div>
  );
}
