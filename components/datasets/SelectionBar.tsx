'use client';

import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { BatchForm } from '@/components/BatchForm';
import { Button, buttonClass } from '@/components/ui/Button';
import type { ItemStatus } from '@/db/schema';
import { DECIDE_MAX } from '@/lib/browse/limits';
import { filterToParams } from '@/lib/filter/filter-codec';
import type { ListFilter } from '@/lib/filter/filter';
import { useDecide } from './api';
import { selectionLinks } from './selection-links';

const number = new Intl.NumberFormat('en-US');

export interface Selection {
  /** How many items it holds. */
  count: number;
  /** The selection as a filter: the page's filter ("all N matching") or its explicit ids. */
  filter: ListFilter;
  /** All matching (the filter's items), or items chosen one by one. */
  all: boolean;
}

/**
 * What can be done with a selection: review it (the queue takes the filter or the chosen ids), run a
 * batch on it (the existing BatchForm, with the cost estimate), audit it, export it, and for a lead, decide it after a confirmation naming the count.
 */
export function SelectionBar({
  selection,
  onClear,
  can,
}: {
  selection: Selection;
  onClear: () => void;
  can: { manage: boolean; review: boolean; adjudicate: boolean; audit: boolean };
}) {
  const [batch, setBatch] = useState(false);
  const [confirm, setConfirm] = useState<'accept' | 'reject'>();
  const [done, setDone] = useState<string>();
  const decide = useDecide(selection.filter.datasetId);
  const { count, filter, all } = selection;
  const { sort: _sort, status, ...batchFilter } = filter;
  const auditHref = `/audits?${filterToParams({ datasetId: filter.datasetId, family: filter.family, task: filter.task })}`;
  const tooMany = count > DECIDE_MAX;
  // Hand-picked ids go in the link: too many make a URL the next page cannot be requested with.
  const links = selectionLinks(filter);
  const verbs = [can.review && 'review', can.manage && 'export'].filter(Boolean).join(' or ');
  const tooLong = `Too many hand-picked items to ${verbs} as a list (${number.format(count)}): use a filter or “Select all matching” instead.`;

  return (
    <section
      className="mb-3 rounded-lg border border-sky-500/30 bg-sky-500/5 px-3 py-2 text-sm"
      aria-label="Selection"
      data-testid="selection-bar"
    >
      <div className="flex flex-wrap items-center gap-2">
        <span className="tabular-nums text-neutral-100" data-testid="selection-count">
          {number.format(count)} {count === 1 ? 'item' : 'items'} selected{all ? ' (all matching)' : ''}
        </span>
        <Button size="xs" variant="ghost" onClick={onClear}>
          Clear
        </Button>
        <span className="mx-1 h-4 w-px bg-neutral-800" aria-hidden />
        {can.review && <SelectionLink href={links.fits ? links.review : undefined} why={tooLong} label="Review" />}
        {can.manage && (
          <Button size="xs" onClick={() => setBatch((b) => !b)} aria-expanded={batch}>
            Regenerate or rewrite…
          </Button>
        )}
        {can.audit && (
          <Link href={auditHref} className={buttonClass({ size: 'xs' })} title="Start an audit of this dataset, family and task">
            Audit
          </Link>
        )}
        {can.manage && <SelectionLink href={links.fits ? links.export : undefined} why={tooLong} label="Export" />}
        {can.adjudicate && (
          <span className="ml-auto flex gap-2">
            <Button
              size="xs"
              variant="success"
              disabled={tooMany}
              title={tooMany ? `A decision covers at most ${number.format(DECIDE_MAX)} items: narrow the filter` : undefined}
              onClick={() => setConfirm('accept')}
            >
              Accept all…
            </Button>
            <Button
              size="xs"
              variant="danger"
              disabled={tooMany}
              title={tooMany ? `A decision covers at most ${number.format(DECIDE_MAX)} items: narrow the filter` : undefined}
              onClick={() => setConfirm('reject')}
            >
              Reject all…
            </Button>
          </span>
        )}
      </div>
      {!links.fits && verbs && (
        <p className="mt-2 text-amber-200" role="status" data-testid="selection-too-long">
          {tooLong}
        </p>
      )}
      {done && (
        <p className="mt-2 text-emerald-300" role="status" data-testid="decide-result">
          {done}
        </p>
      )}
      {batch && (
        <div className="mt-3">
          <BatchForm filter={batchFilter as ListFilter} status={status as ItemStatus | undefined} />
        </div>
      )}
      {confirm && (
        <DecideDialog
          decision={confirm}
          count={count}
          pending={decide.isPending}
          error={decide.error?.message}
          onCancel={() => {
            setConfirm(undefined);
            decide.reset();
          }}
          onConfirm={() =>
            decide.mutate(
              { decision: confirm, filter: { ...filter, datasetId: undefined, sort: undefined }, count },
              {
                onSuccess: (answer) => {
                  setConfirm(undefined);
                  const verb = confirm === 'accept' ? 'Accepted' : 'Rejected';
                  setDone(
                    `${verb} ${number.format(answer.decided)} ${answer.decided === 1 ? 'item' : 'items'} as your decision` +
                      (answer.unchanged ? ` (${number.format(answer.unchanged)} already had it).` : '.'),
                  );
                },
              },
            )
          }
        />
      )}
    </section>
  );
}

/** The confirmation: it names the count and what each item gets, and takes Enter or Escape. */
function DecideDialog({
  decision,
  count,
  pending,
  error,
  onCancel,
  onConfirm,
}: {
  decision: 'accept' | 'reject';
  count: number;
  pending: boolean;
  error?: string;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => confirmRef.current?.focus(), []);
  const verb = decision === 'accept' ? 'Accept' : 'Reject';
  const items = `${number.format(count)} ${count === 1 ? 'item' : 'items'}`;
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-black/60 backdrop-blur-sm" onClick={onCancel}>
      <div
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="decide-title"
        aria-describedby="decide-text"
        className="w-[min(30rem,90vw)] rounded-xl border border-neutral-800 bg-neutral-900 p-6 shadow-2xl"
        onClick={(event) => event.stopPropagation()}
        onKeyDown={(event) => event.key === 'Escape' && onCancel()}
        data-testid="decide-dialog"
      >
        <h2 id="decide-title" className="text-base font-semibold text-neutral-100">
          {verb} {items}?
        </h2>
        <p id="decide-text" className="mt-2 text-sm text-neutral-400">
          Each of the {items} gets your verdict as lead ({decision}), on its current edited image and instruction. It decides the item over
          reviewers’ verdicts, and a later lead decision replaces it.
        </p>
        {error && (
          <p className="mt-3 text-sm text-rose-300" role="alert">
            {error}
          </p>
        )}
        <div className="mt-5 flex justify-end gap-2">
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
          <Button ref={confirmRef} variant={decision === 'accept' ? 'success' : 'danger'} disabled={pending} onClick={onConfirm}>
            {pending ? 'Saving…' : `${verb} ${items}`}
          </Button>
        </div>
      </div>
    </div>
  );
}

/** A link that carries the selection, or (no href: its URL would be too long) the same button disabled with the reason. */
function SelectionLink({ href, why, label }: { href: string | undefined; why: string; label: string }) {
  if (href === undefined) {
    return (
      <Button size="xs" disabled title={why}>
        {label}
      </Button>
    );
  }
  return (
    <Link href={href} className={buttonClass({ size: 'xs' })}>
      {label}
    </Link>
  );
}
