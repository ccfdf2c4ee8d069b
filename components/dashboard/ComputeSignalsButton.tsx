'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { Button } from '@/components/ui/Button';
import { post } from '@/lib/api/client';
import type { SignalsAnswer } from '@/lib/api/signals';

const number = new Intl.NumberFormat('en-US');

/**
 * "Compute signals" for a dataset with none: queues the pixel-signal jobs of every item (local work, no API
 * key, no cost) for the server's worker, and says where to watch them. POST /api/signals (manage).
 */
export function ComputeSignalsButton({ datasetId }: { datasetId: number }) {
  const start = useMutation({ mutationFn: () => post<SignalsAnswer>('/api/signals', { filter: { datasetId } }) });
  if (start.data)
    return (
      <span className="text-neutral-300" data-testid="signals-queued">
        Queued {number.format(start.data.queued)} signal jobs; the server measures them in the background (
        <Link href="/jobs" className="text-sky-300 underline underline-offset-2 hover:text-sky-200">
          Jobs
        </Link>
        ). Reload this page when they are done.
      </span>
    );
  return (
    <>
      <Button size="xs" onClick={() => start.mutate()} disabled={start.isPending} data-testid="compute-signals">
        {start.isPending ? 'Queuing…' : 'Compute signals'}
      </Button>
      {start.error && <span className="ml-2 text-rose-300">{start.error.message}</span>}
    </>
  );
}
