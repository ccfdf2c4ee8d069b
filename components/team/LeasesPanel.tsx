'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { LiveLease } from '@/lib/review/queue';
import { clock, number } from './format';

const REFRESH_MS = 5000;

interface LeasesAnswer {
  leases: LiveLease[];
  /** The server's clock when it answered. */
  now: number;
}

async function json<T>(response: Response): Promise<T> {
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error ?? `request failed (${response.status})`);
  return data as T;
}

/**
 * The items reviewers hold right now (refreshed every 5 s), with a countdown and a Release
 * button each: a lead frees an item someone left open, and it goes back to the queue.
 */
export function LeasesPanel({ datasetId }: { datasetId: number }) {
  const queryClient = useQueryClient();
  const leases = useQuery({
    queryKey: ['leases'],
    queryFn: async () => {
      const answer = await json<LeasesAnswer>(await fetch('/api/leases'));
      // Count down on the server's clock: remember how far ours is off.
      return { ...answer, offset: answer.now - Date.now() };
    },
    refetchInterval: REFRESH_MS,
  });
  const release = useMutation({
    mutationFn: async (itemId: number) => json<{ released: boolean }>(await fetch(`/api/leases/${itemId}`, { method: 'DELETE' })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['leases'] }),
  });

  const [now, setNow] = useState<number>();
  useEffect(() => {
    const tick = () => setNow(Date.now());
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, []);

  if (leases.isPending) return <p className="text-sm text-neutral-500">Loading leases…</p>;
  if (leases.isError) return <p className="text-sm text-rose-300" role="alert">{leases.error.message}</p>;

  const { offset } = leases.data;
  const here = leases.data.leases.filter((l) => l.datasetId === datasetId);
  const elsewhere = leases.data.leases.length - here.length;
  const serverNow = (now ?? Date.now()) + offset;

  return (
    <div>
      {here.length === 0 ? (
        <p className="text-sm text-neutral-500">Nobody holds an item of this dataset right now.</p>
      ) : (
        <table className="w-full text-sm" data-testid="lease-table">
          <thead className="text-left text-xs uppercase tracking-wide text-neutral-500">
            <tr className="border-b border-neutral-800">
              <th className="py-2 pr-4 font-normal">Reviewer</th>
              <th className="py-2 pr-4 font-normal">Item</th>
              <th className="py-2 pr-4 font-normal">Family / task</th>
              <th className="py-2 pr-4 text-right font-normal">Remaining</th>
              <th className="py-2 font-normal" />
            </tr>
          </thead>
          <tbody>
            {here.map((lease) => {
              const left = lease.expiresAt - serverNow;
              return (
                <tr key={lease.itemId} data-testid="lease-row" className="border-b border-neutral-800/60">
                  <td className="py-2 pr-4 text-neutral-100">{lease.reviewer ?? '–'}</td>
                  <td className="max-w-72 truncate py-2 pr-4 font-mono text-xs">
                    <Link href={`/items/${lease.itemId}`} className="text-neutral-300 hover:text-neutral-100" title={lease.externalId}>
                      {lease.externalId}
                    </Link>
                  </td>
                  <td className="py-2 pr-4">
                    <span className="text-neutral-500">{lease.family} /</span> {lease.task}
                  </td>
                  <td className={`py-2 pr-4 text-right tabular-nums ${left < 30_000 ? 'text-amber-400' : 'text-neutral-300'}`}>
                    {left > 0 ? clock(left) : 'expired'}
                  </td>
                  <td className="py-2 text-right">
                    <button
                      onClick={() => release.mutate(lease.itemId)}
                      disabled={release.isPending && release.variables === lease.itemId}
                      className="rounded-md border border-neutral-700 px-2.5 py-1 text-xs text-neutral-200 hover:bg-neutral-800 disabled:opacity-50"
                    >
                      Release
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <p className="mt-2 text-xs text-neutral-500">
        Refreshed every 5 s. A released item goes back to the queue for anyone to claim.
        {elsewhere > 0 && ` ${number.format(elsewhere)} more held in other datasets.`}
      </p>
      {release.isError && (
        <p className="mt-2 text-sm text-rose-300" role="alert">
          {release.error.message}
        </p>
      )}
    </div>
  );
}
