'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { del, get } from '@/lib/api/client';
import type { LeaseReleaseAnswer, LeasesAnswer } from '@/lib/api/team';
import { Button } from '@/components/ui/Button';
import { EmptyState } from '@/components/ui/EmptyState';
import { Row, Table } from '@/components/ui/Table';
import { clock, number } from './format';
import { itemHref } from '@/lib/http/back-link';

const REFRESH_MS = 5000;

/**
 * The items reviewers hold right now (refreshed every 5 s), with a countdown and a Release
 * button each: a lead frees an item someone left open, and it goes back to the queue.
 */
export function LeasesPanel({ datasetId }: { datasetId: number }) {
  const queryClient = useQueryClient();
  const leases = useQuery({
    queryKey: ['leases'],
    queryFn: async () => {
      const answer = await get<LeasesAnswer>('/api/leases');
      // Count down on the server's clock: remember how far ours is off.
      return { ...answer, offset: answer.now - Date.now() };
    },
    refetchInterval: REFRESH_MS,
  });
  const release = useMutation({
    mutationFn: (itemId: number) => del<LeaseReleaseAnswer>(`/api/leases/${itemId}`),
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
  if (leases.isError)
    return (
      <p className="text-sm text-rose-300" role="alert">
        {leases.error.message}
      </p>
    );

  const { offset } = leases.data;
  const here = leases.data.leases.filter((l) => l.datasetId === datasetId);
  const elsewhere = leases.data.leases.length - here.length;
  const serverNow = (now ?? Date.now()) + offset;

  return (
    <div>
      {here.length === 0 ? (
        <EmptyState look="inline" message="Nobody holds an item of this dataset right now." />
      ) : (
        <Table
          testId="lease-table"
          columns={[
            { header: 'Reviewer', className: 'pr-4' },
            { header: 'Item', className: 'pr-4' },
            { header: 'Family / task', className: 'pr-4' },
            { header: 'Remaining', className: 'pr-4', align: 'right' },
            {},
          ]}
        >
          {here.map((lease) => {
            const left = lease.expiresAt - serverNow;
            return (
              <Row key={lease.itemId} data-testid="lease-row">
                <td className="py-2 pr-4 text-neutral-100">{lease.reviewer ?? '–'}</td>
                <td className="max-w-72 truncate py-2 pr-4 font-mono text-xs">
                  <Link
                    href={itemHref(lease.itemId, `/team?dataset=${datasetId}`)}
                    className="text-neutral-300 hover:text-neutral-100"
                    title={lease.externalId}
                  >
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
                  <Button
                    size="xs"
                    onClick={() => release.mutate(lease.itemId)}
                    disabled={release.isPending && release.variables === lease.itemId}
                  >
                    Release
                  </Button>
                </td>
              </Row>
            );
          })}
        </Table>
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
