'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import type { ItemStatus } from '@/db/schema';
import { Button, type ButtonVariant } from '@/components/ui/Button';
import { Input } from '@/components/ui/Input';
import { REJECT_REASONS, type RejectReason } from '@/lib/review/reasons';
import { useKeymap } from '@/components/keyboard';
import { HELP_MODE, ITEM_KEYS } from '@/components/keymap';
import { ShortcutDialog } from '@/components/ShortcutDialog';
import { adjudicate, adjudicationHref, findNextDisputed, queueHref } from './api';

export interface AdjudicationPanelProps {
  itemId: number;
  status: ItemStatus;
  /** Live review verdicts, for the one-line summary of the disagreement. */
  accepts: number;
  rejects: number;
  /** The live adjudication, when the item has one (a new decision replaces it). */
  adjudication: { decision: 'accept' | 'reject'; by: string } | null;
  /** Opened from the adjudication queue: a decision moves on to the next disputed item. */
  fromQueue: boolean;
  /** The queue's dataset, when it was filtered to one. */
  datasetId?: number;
  /** The next disputed item when the page was rendered (n). */
  nextId?: number;
  /** The version the page shows: the decision applies to it. */
  version: { candidateId: number; instructionVersionId: number };
  /**
   * Versions the lead can switch the page to and decide on (the default one, then each one a
   * reviewer accepted); empty unless reviewers accepted a version other than the default.
   */
  options: VersionOptionLink[];
}

export interface VersionOptionLink {
  label: string;
  /** "accepted by ann1", or "current" / "decided" for the default. */
  note: string;
  /** The item page showing this version. */
  href: string;
  selected: boolean;
}

/**
 * The lead's controls on the item page, keyboard-first: Accept / Reject a disputed (or
 * re-decide an adjudicated) item with optional reasons and a note; n opens the next
 * disputed item, q the queue, ? the help. Keys are ignored while typing.
 */
export function AdjudicationPanel(props: AdjudicationPanelProps) {
  const { itemId, status, adjudication, fromQueue, datasetId, nextId } = props;
  const router = useRouter();
  const [reasons, setReasons] = useState<RejectReason[]>([]);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [help, setHelp] = useState(false);
  const noteRef = useRef<HTMLInputElement>(null);
  const canDecide = status === 'disputed' || adjudication !== null;

  const toggleReason = (tag: RejectReason) => setReasons((list) => (list.includes(tag) ? list.filter((r) => r !== tag) : [...list, tag]));

  const decide = async (decision: 'accept' | 'reject') => {
    if (!canDecide || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await adjudicate(itemId, {
        decision,
        ...props.version,
        reasons: decision === 'reject' ? reasons : [],
        comment: note.trim() || undefined,
      });
      if (fromQueue) {
        const next = await findNextDisputed(itemId, datasetId);
        router.push(next ? adjudicationHref(next, datasetId) : queueHref(datasetId));
        return; // stays busy until the next page replaces this one
      }
      setReasons([]);
      setNote('');
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
    }
    setBusy(false);
  };

  // v: the page with the next version, so the pair shown is always the one decided on.
  const nextVersion = () => {
    const { options } = props;
    if (options.length < 2) return;
    const at = options.findIndex((o) => o.selected);
    router.replace(options[(at + 1) % options.length].href, { scroll: false });
  };

  const goNext = () => {
    if (nextId) router.push(adjudicationHref(nextId, datasetId));
  };

  // Deciding keys only while there is something to decide (false: the key is not taken).
  const deciding = (action: () => void) => () => (canDecide ? action() : false);
  useKeymap(
    ITEM_KEYS,
    {
      accept: deciding(() => void decide('accept')),
      reject: deciding(() => void decide('reject')),
      toggleReason: (key) => (canDecide ? toggleReason(REJECT_REASONS[Number(key) - 1].tag) : false),
      note: deciding(() => noteRef.current?.focus()),
      nextVersion: deciding(nextVersion),
      nextItem: goNext,
      queue: () => router.push(queueHref(datasetId)),
      help: () => setHelp(true),
      dismiss: () => setError(undefined),
      closeHelp: () => setHelp(false),
    },
    { mode: help ? HELP_MODE : 'normal' },
  );

  const summary =
    adjudication !== null
      ? `Adjudicated: ${adjudication.decision === 'accept' ? 'accepted' : 'rejected'} by ${adjudication.by}. A new decision replaces it.`
      : status === 'disputed'
        ? `The review verdicts disagree: ${props.accepts} accept, ${props.rejects} reject.`
        : `This item is ${status}; only disputed items are adjudicated.`;

  return (
    <section className="rounded-lg border border-neutral-800 bg-neutral-900/60 p-4" data-testid="adjudication" aria-label="Adjudication">
      <div className="mb-3 flex flex-wrap items-baseline gap-3">
        <h2 className="text-sm font-semibold text-neutral-100">Adjudicate</h2>
        <p className="text-sm text-neutral-400">{summary}</p>
      </div>

      {canDecide && props.options.length > 1 && (
        <div
          className="mb-3 flex flex-wrap items-center gap-2"
          role="radiogroup"
          aria-label="Version to decide on"
          data-testid="adjudicate-versions"
        >
          <span className="mr-1 text-xs text-neutral-500">
            Version to decide on <kbd className="ml-1">v</kbd>
          </span>
          {props.options.map((option) => (
            <Link
              key={option.href}
              href={option.href}
              scroll={false}
              replace
              role="radio"
              aria-checked={option.selected}
              data-testid="adjudicate-version"
              className={`rounded-md border px-2 py-1 text-xs ${
                option.selected
                  ? 'border-sky-400 bg-sky-500/20 text-sky-100'
                  : 'border-neutral-700 text-neutral-300 hover:border-neutral-500'
              }`}
            >
              {option.label}
              <span className="ml-1.5 text-neutral-400">({option.note})</span>
            </Link>
          ))}
        </div>
      )}

      {canDecide && (
        <>
          <div className="mb-3 flex flex-wrap items-center gap-2" data-testid="adjudicate-reasons">
            <span className="mr-1 text-xs text-neutral-500">Reasons for a reject</span>
            {REJECT_REASONS.map((reason, i) => (
              <button
                key={reason.tag}
                type="button"
                aria-pressed={reasons.includes(reason.tag)}
                onClick={() => toggleReason(reason.tag)}
                className={`rounded-md border px-2 py-1 text-xs ${
                  reasons.includes(reason.tag)
                    ? 'border-rose-400 bg-rose-500/20 text-rose-100'
                    : 'border-neutral-700 text-neutral-300 hover:border-neutral-500'
                }`}
              >
                <kbd className="mr-1.5">{i + 1}</kbd>
                {reason.label}
              </button>
            ))}
          </div>
          <Input
            ref={noteRef}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') e.currentTarget.blur();
            }}
            maxLength={2000}
            placeholder="Note with the decision (optional) — c"
            aria-label="Note with the decision"
            size="md"
            className="mb-3 block w-full"
          />
        </>
      )}

      <div className="flex flex-wrap items-center gap-2">
        {canDecide && (
          <>
            <KeyButton k="a" onClick={() => decide('accept')} disabled={busy} testId="adjudicate-accept" variant="success">
              Accept
            </KeyButton>
            <KeyButton k="r" onClick={() => decide('reject')} disabled={busy} testId="adjudicate-reject" variant="danger">
              Reject{reasons.length > 0 ? ` (${reasons.length})` : ''}
            </KeyButton>
            <span className="mx-2 h-5 w-px bg-neutral-800" />
          </>
        )}
        <KeyButton k="n" onClick={goNext} disabled={!nextId} testId="next-disputed" variant="ghost">
          {nextId ? 'Next disputed' : 'No other disputed item'}
        </KeyButton>
        <button onClick={() => setHelp(true)} className="ml-auto text-neutral-500 hover:text-neutral-200" aria-label="Keyboard shortcuts">
          <kbd>?</kbd>
        </button>
      </div>
      {busy && <p className="mt-2 text-xs text-neutral-500">Saving…</p>}
      {error && (
        <p role="alert" className="mt-3 text-sm text-rose-300">
          {error}
        </p>
      )}
      {help && <ShortcutDialog keymap={ITEM_KEYS} onClose={() => setHelp(false)} />}
    </section>
  );
}

function KeyButton({
  k,
  onClick,
  disabled,
  testId,
  variant,
  children,
}: {
  k: string;
  onClick: () => void;
  disabled?: boolean;
  testId?: string;
  variant: ButtonVariant;
  children: React.ReactNode;
}) {
  return (
    <Button variant={variant} size="md" onClick={onClick} disabled={disabled} data-testid={testId} className="font-medium">
      {children}
      <kbd className="border-current/30 bg-black/20 text-current opacity-80">{k}</kbd>
    </Button>
  );
}
