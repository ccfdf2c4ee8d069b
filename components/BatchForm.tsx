'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/Button';
import { Input } from '@/components/ui/Input';
import { Select } from '@/components/ui/Select';
import type { ItemStatus } from '@/db/schema';
import { get, post } from '@/lib/api/client';
import type { BatchKind } from '@/lib/jobs/kinds';
import type { BatchEstimate, BatchProgress } from '@/lib/batches/batch';
import type { BatchVia } from '@/lib/batches/via';
import type { ListFilter } from '@/lib/filter/filter';
import { useJobKinds, useJobLabel } from './jobs/JobKinds';

const number = new Intl.NumberFormat('en-US');
const usd = (n: number) => `$${n.toFixed(n > 0 && n < 0.1 ? 4 : 2)}`;

/**
 * Runs a batch of one batchable kind (regeneration, rewrite, judgement…) over every item the dataset page
 * shows, within a budget: the estimate comes first, then a progress bar while the server's worker runs it.
 */
export function BatchForm({ filter, status }: { filter: ListFilter; status?: ItemStatus }) {
  // The kinds a batch can queue, and what each does (lib/jobs/kinds, by way of the root layout).
  const batchKinds = useJobKinds().filter((k) => k.batchable);
  const [kind, setKind] = useState(batchKinds[0]?.id as BatchKind);
  const label = useJobLabel();
  const [budget, setBudget] = useState('');
  // Which path the jobs take: auto picks the OpenAI Batch API from LOUPE_BATCH_MIN_ITEMS items.
  const [via, setVia] = useState<BatchVia>('auto');
  const [batchId, setBatchId] = useState<number>();
  // Closed until asked for: an estimate counts the items imported since the last one (once after a large import)
  // and, for a text, signal, reviewer or ids term, reads the matching items.
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();

  const estimate = useQuery({
    enabled: open,
    queryKey: ['batch-estimate', kind, filter, status, via],
    queryFn: () => post<BatchEstimate & { configured: boolean }>('/api/batches/estimate', { kind, filter, status, via }),
  });
  const start = useMutation({
    mutationFn: () => post<{ batchId: number; queued: number }>('/api/batches', { kind, filter, status, budgetUsd: Number(budget), via }),
    onSuccess: ({ batchId }) => {
      setBatchId(batchId);
      void queryClient.invalidateQueries({ queryKey: ['batch-estimate'] });
    },
  });

  const budgetUsd = Number(budget);
  const e = estimate.data;
  const matching = e ? e.items + e.skippedActive : undefined;
  const canStart = e?.configured && e.items > 0 && budgetUsd > 0 && !start.isPending;

  if (!open) {
    return (
      <button
        onClick={() => setOpen(true)}
        className="mb-4 rounded-md border border-neutral-800 px-3 py-1.5 text-sm text-neutral-400 hover:bg-neutral-900 hover:text-neutral-200"
      >
        Run a batch on these items…
      </button>
    );
  }
  return (
    <section className="mb-4 rounded-lg border border-neutral-800 bg-neutral-900/60 px-4 py-3 text-sm" data-testid="batch-form">
      <form
        className="flex flex-wrap items-center gap-3"
        onSubmit={(event) => {
          event.preventDefault();
          if (canStart) start.mutate();
        }}
      >
        <span className="text-neutral-200">Run a batch on these {matching === undefined ? '…' : number.format(matching)} items</span>
        <Select value={kind} onChange={(event) => setKind(event.target.value as BatchKind)} aria-label="What to do">
          {batchKinds.map((k) => (
            <option key={k.id} value={k.id}>
              {k.batchLabel ?? k.label}
            </option>
          ))}
        </Select>
        <Select value={via} onChange={(event) => setVia(event.target.value as BatchVia)} aria-label="Path">
          <option value="auto">Auto: Batch API from {e ? number.format(e.minBatchItems) : '…'} items</option>
          <option value="batch">OpenAI Batch API (half price, within 24 h)</option>
          <option value="sync">Synchronous (one call a job)</option>
        </Select>
        <label className="flex items-center gap-1.5 text-neutral-400">
          Budget $
          <Input
            type="number"
            min="0"
            step="0.01"
            inputMode="decimal"
            value={budget}
            onChange={(event) => setBudget(event.target.value)}
            placeholder={e ? e.estimatedUsd.toFixed(2) : ''}
            aria-label="Budget in USD"
            className="w-24 tabular-nums"
          />
        </label>
        <Button type="submit" disabled={!canStart} className="ml-auto">
          {start.isPending ? 'Starting…' : 'Start'}
        </Button>
      </form>
      <p className="mt-2 tabular-nums text-neutral-500" data-testid="batch-estimate">
        {estimate.isError ? estimate.error.message : e ? estimateText(e, budgetUsd, label(kind)) : 'Estimating…'}
      </p>
      {start.isError && <p className="mt-2 text-rose-300">{start.error.message}</p>}
      {batchId !== undefined && <BatchProgressBar id={batchId} />}
    </section>
  );
}

/** The path that will run and both paths' cost (a kind the Batch API does not take has one). */
function pathText(e: BatchEstimate) {
  if (e.batchUsd === null) return `Runs by synchronous calls.`;
  return e.path === 'batch'
    ? `Runs through the OpenAI Batch API: half price, answered within 24 h (synchronous calls would cost ${usd(e.syncUsd)}).`
    : `Runs by synchronous calls (through the OpenAI Batch API it would cost ${usd(e.batchUsd)}, answered within 24 h).`;
}

function fullReleaseText(full: NonNullable<BatchEstimate['fullRelease']>) {
  const both = full.batchUsd === null ? usd(full.syncUsd) : `${usd(full.syncUsd)} synchronous, ${usd(full.batchUsd)} through the Batch API`;
  return `At the full release's ${number.format(full.items)} items: ${both}.`;
}

function estimateText(e: BatchEstimate & { configured: boolean }, budgetUsd: number, label: string) {
  const parts = [`Estimated ${usd(e.estimatedUsd)} for ${number.format(e.items)} items.`, pathText(e)];
  if (e.fullRelease) parts.push(fullReleaseText(e.fullRelease));
  if (e.skippedActive) parts.push(`${number.format(e.skippedActive)} already have a job queued or running and are left out.`);
  if (!e.configured) parts.push(`${label} is not configured on this server: set OPENAI_API_KEY.`);
  else if (budgetUsd > 0 && budgetUsd < e.estimatedUsd) {
    const covered = Math.floor((e.items * budgetUsd) / e.estimatedUsd);
    parts.push(`The budget covers about ${number.format(covered)} of them; the batch stops when it is spent.`);
  }
  return parts.join(' ');
}

const active = (p: BatchProgress) => p.status === 'running' || p.counts.queued + p.counts.running > 0;

function BatchProgressBar({ id }: { id: number }) {
  const progress = useQuery({
    queryKey: ['batch', id],
    queryFn: () => get<BatchProgress>(`/api/batches?id=${id}`),
    // A stopped batch may still have jobs running: poll until none is left.
    refetchInterval: (query) => (query.state.data && !active(query.state.data) ? false : 1000),
  });
  const p = progress.data;
  const finished = p !== undefined && !active(p);
  const queryClient = useQueryClient();
  const router = useRouter();
  useEffect(() => {
    if (!finished) return;
    void queryClient.invalidateQueries({ queryKey: ['batch-estimate'] });
    router.refresh(); // the table shows the new instructions
  }, [finished, queryClient, router]);
  if (!p) return <p className="mt-3 text-neutral-500">{progress.isError ? progress.error.message : 'Starting…'}</p>;
  const { succeeded, failed, cancelled } = p.counts;
  const pct = (n: number) => (p.total ? (100 * n) / p.total : 0);
  const { running } = p.counts;
  const state = {
    running: 'running',
    done: 'done',
    stopped: 'stopped: budget spent',
    cancelled: 'cancelled',
    interrupted: 'interrupted: queuing stopped part-way',
  }[p.status];
  return (
    <div className="mt-3" data-testid="batch-progress">
      <div className="flex h-1.5 overflow-hidden rounded-full bg-neutral-800" aria-hidden>
        <div className="bg-emerald-500/80" style={{ width: `${pct(succeeded)}%` }} />
        <div className="bg-rose-500/80" style={{ width: `${pct(failed)}%` }} />
        <div className="bg-neutral-500" style={{ width: `${pct(cancelled)}%` }} />
      </div>
      <p className="mt-1.5 flex flex-wrap gap-x-4 tabular-nums text-neutral-400">
        <span className="text-neutral-200">
          Batch {p.id} · {p.kind}: {state}
          {p.path === 'batch' && ' · through the OpenAI Batch API (answered within 24 h)'}
        </span>
        <span>
          {number.format(succeeded)} succeeded · {number.format(failed)} failed · {number.format(cancelled)} cancelled of{' '}
          {number.format(p.total)}
          {running > 0 && ` · ${number.format(running)} running`}
        </span>
        <span className="ml-auto">
          {usd(p.spentUsd)} of {usd(p.budgetUsd)} spent
        </span>
      </p>
    </div>
  );
}
