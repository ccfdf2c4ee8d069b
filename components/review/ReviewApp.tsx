'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useRef, useState } from 'react';
import { choiceFor, nextOf, pick, type PageChoice } from '@/lib/review/choice';
import type { ItemFilter } from '@/lib/review/filter';
import { filterToParams } from '@/lib/review/filter-codec';
import type { ReviewItem } from '@/lib/review/items';
import { REJECT_REASONS, type RejectReason } from '@/lib/review/reasons';
import * as api from './api';
import { ImagePair, type PairImage } from './ImagePair';
import { InspectView, type InspectHandle, type InspectMode } from './InspectView';
import { CandidateStrip } from './CandidateStrip';
import { InstructionPanel } from './InstructionPanel';
import { ItemJobs } from './ItemJobs';
import { LeaseTimer } from './LeaseTimer';
import { NoteBox } from './NoteBox';
import { ShortcutOverlay } from './ShortcutOverlay';
import { SignalStrip } from './SignalStrip';
import { useHolder } from './useReviewer';
import { useReviewQueue } from './useReviewQueue';
import { isTyping } from '@/components/keyboard';

export interface QueueOptions {
  datasets: { id: number; name: string }[];
  tasks: { family: string; task: string }[];
}

const number = new Intl.NumberFormat('en-US');

/** Queue orders: the default (family, task, id), or by a computed signal (lib/signals). */
const QUEUE_ORDERS: [string, string][] = [
  ['', 'Queue order'],
  ['judge_overall:asc', 'Lowest judge score first'],
  ['judge_overall:desc', 'Highest judge score first'],
  ['ssim:desc', 'Least changed first (SSIM)'],
  ['changed_fraction:desc', 'Most changed first'],
  ['padding_residual:desc', 'Most padding first'],
  ['dup_edit:desc', 'Near-duplicate edits first'],
];

function pairOf(item: ReviewItem, candidateId: number): [PairImage, PairImage] {
  const candidate = item.candidates.find((c) => c.id === candidateId) ?? item.candidates[0];
  // A pair regeneration brings its own source image.
  const source = candidate.source
    ? { url: api.previewUrl('candidate-source', candidate.id), fullUrl: api.fullUrl('candidate-source', candidate.id), ...candidate.source, note: 'regenerated' }
    : { url: api.previewUrl('source', item.id), fullUrl: api.fullUrl('source', item.id), ...item.source };
  const note = [
    candidate.origin === 'dataset' ? 'from dataset' : 'regenerated',
    candidate.simulated ? 'simulated' : '',
    candidate.paddingOk === false ? 'padding check failed' : '',
  ];
  return [
    { label: 'Source', ...source },
    {
      label: 'Edited',
      url: api.previewUrl('candidate', candidate.id),
      fullUrl: api.fullUrl('candidate', candidate.id),
      width: candidate.width,
      height: candidate.height,
      note: note.filter(Boolean).join(' · '),
    },
  ];
}

const canRegeneratePair = (item: ReviewItem) => item.family === 'hqedit' && item.task === 'generate' && !!item.inputDescription;

/** The review page. `reviewer` is the signed-in user's name (the server records verdicts under it). */
export function ReviewApp({ filter, options, reviewer }: { filter: ItemFilter; options: QueueOptions; reviewer: string }) {
  const router = useRouter();
  const holder = useHolder();
  const queue = useReviewQueue(filter, holder);
  const item = queue.current;

  // Picks and a reject in progress belong to the item they were made on (see lib/review/choice.ts):
  // in the moment after the next item appears, before any effect runs, they must not apply to it.
  const [choice, setChoice] = useState<PageChoice>();
  const chosen = item ? choiceFor(item, choice) : undefined;
  const setChosenCandidate = (candidateId: number) => item && setChoice((c) => pick(c, item, { candidateId }));
  const setChosenInstruction = (instructionId: number) => item && setChoice((c) => pick(c, item, { instructionId }));
  const [rejectingItem, setRejectingItem] = useState<number>();
  const rejecting = item !== undefined && rejectingItem === item.id;
  const setRejecting = (on: boolean) => setRejectingItem(on && item ? item.id : undefined);
  const [reasonsOf, setReasonsOf] = useState<{ itemId: number; tags: RejectReason[] }>();
  const reasons = item && reasonsOf?.itemId === item.id ? reasonsOf.tags : [];
  const [editing, setEditing] = useState(false);
  const [inspect, setInspect] = useState<InspectMode | null>(null);
  const [help, setHelp] = useState(false);
  const [showMask, setShowMask] = useState(false);
  const [noting, setNoting] = useState(false);
  const [noteSaved, setNoteSaved] = useState(false);
  const shownAt = useRef(0);
  const inspectRef = useRef<InspectHandle>(null);

  // A new item starts clean: its current versions chosen, no reject in progress.
  useEffect(() => {
    setChoice(undefined);
    setRejectingItem(undefined);
    setReasonsOf(undefined);
    setEditing(false);
    setNoting(false);
    setNoteSaved(false);
    shownAt.current = performance.now();
  }, [item?.id, item?.currentInstructionId, item?.currentCandidateId]);

  const decide = (decision: 'accept' | 'reject' | 'skip') => {
    if (!item) return;
    // Versions from this same item object: never a pick made on another item.
    queue.decide(item, {
      decision,
      ...choiceFor(item, choice),
      reasons: decision === 'reject' ? reasons : undefined,
      msSpent: Math.round(performance.now() - shownAt.current),
    });
  };

  const toggleReason = (tag: RejectReason) => {
    if (!item) return;
    const list = reasons.includes(tag) ? reasons.filter((r) => r !== tag) : [...reasons, tag];
    setReasonsOf({ itemId: item.id, tags: list });
  };

  const cycleInstruction = () => {
    if (!item || !chosen || item.instructions.length < 2) return;
    setChosenInstruction(nextOf(item.instructions.map((v) => v.id), chosen.instructionVersionId));
  };

  const cycleCandidate = () => {
    if (!item || !chosen || item.candidates.length < 2) return;
    setChosenCandidate(nextOf(item.candidates.map((c) => c.id), chosen.candidateId));
  };

  const saveInstruction = async (text: string) => {
    if (!item) return;
    const version = await api.saveInstruction(item.id, text);
    queue.updateItem(item.id, (it) => ({ ...it, instructions: [...it.instructions, version], currentInstructionId: version.id }));
    setChosenInstruction(version.id);
  };

  const toggleInspect = (mode: InspectMode) => setInspect((current) => (current === mode ? null : mode));

  // Keyboard-first: every action has a key; keys are ignored while typing.
  const onKey = useRef<(e: KeyboardEvent) => void>(() => undefined);
  onKey.current = (e: KeyboardEvent) => {
    if (isTyping(e.target) || e.metaKey || e.ctrlKey || e.altKey) return;
    const key = e.key;
    if (help) {
      if (key === 'Escape' || key === '?') setHelp(false);
      return;
    }
    if (rejecting) {
      const number = Number(key);
      if (number >= 1 && number <= REJECT_REASONS.length) toggleReason(REJECT_REASONS[number - 1].tag);
      else if (key === 'Enter' || key === 'r') decide('reject');
      else if (key === 'Escape') setRejecting(false);
      else return;
      e.preventDefault();
      return;
    }
    const actions: Record<string, () => void> = {
      a: () => decide('accept'),
      r: () => item && setRejecting(true),
      s: () => decide('skip'),
      u: () => queue.undoLast(),
      e: () => item && setEditing(true),
      n: () => item && setNoting(true),
      v: cycleInstruction,
      c: cycleCandidate,
      g: () => item && queue.requestJob(item, 'regenerate'),
      G: () => item && canRegeneratePair(item) && queue.requestJob(item, 'regenerate_pair'),
      w: () => item && queue.requestJob(item, 'rewrite'),
      i: () => toggleInspect('side'),
      x: () => toggleInspect('swipe'),
      d: () => toggleInspect('difference'),
      m: () => item?.mask && setShowMask((on) => !on),
      '0': () => inspectRef.current?.reset(),
      ArrowLeft: () => inspectRef.current?.nudgeSwipe(-5),
      ArrowRight: () => inspectRef.current?.nudgeSwipe(5),
      '?': () => setHelp(true),
      Escape: () => (inspect ? setInspect(null) : queue.clearError()),
    };
    const action = actions[key];
    if (action) {
      e.preventDefault();
      action();
    }
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey.current(e);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);

  const setFilter = (next: Partial<ItemFilter>) => {
    const merged = { ...filter, ...next };
    // A task only with its family, a sort only with its signal (the schema would refuse them).
    const params = filterToParams({
      ...merged,
      task: merged.family ? merged.task : undefined,
      sort: merged.signal ? merged.sort : undefined,
    });
    router.push(`/review?${params}`);
  };

  const chosenCandidate = chosen?.candidateId;
  const pair = useMemo(() => (item && chosenCandidate !== undefined ? pairOf(item, chosenCandidate) : undefined), [item, chosenCandidate]);
  const progress = queue.progress;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      {/* Queue bar: filters, progress, who is reviewing */}
      <div className="flex flex-wrap items-center gap-3 border-b border-neutral-800 px-4 py-2 text-sm">
        <select
          aria-label="Dataset"
          value={filter.datasetId}
          onChange={(e) => setFilter({ datasetId: Number(e.target.value), family: undefined, task: undefined })}
          className="rounded-md border border-neutral-800 bg-neutral-900 px-2 py-1"
        >
          {options.datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Family and task"
          value={filter.family ? `${filter.family}/${filter.task ?? ''}` : ''}
          onChange={(e) => {
            const [family, task] = e.target.value.split('/');
            setFilter({ family: family || undefined, task: task || undefined });
          }}
          className="rounded-md border border-neutral-800 bg-neutral-900 px-2 py-1"
        >
          <option value="">All families and tasks</option>
          {[...new Set(options.tasks.map((t) => t.family))].map((family) => (
            <optgroup key={family} label={family}>
              <option value={`${family}/`}>{family}: all tasks</option>
              {options.tasks
                .filter((t) => t.family === family)
                .map((t) => (
                  <option key={t.task} value={`${family}/${t.task}`}>
                    {family} / {t.task}
                  </option>
                ))}
            </optgroup>
          ))}
        </select>
        <select
          aria-label="Instruction type"
          value={filter.instructionType ?? ''}
          onChange={(e) => setFilter({ instructionType: (e.target.value || undefined) as ItemFilter['instructionType'] })}
          className="rounded-md border border-neutral-800 bg-neutral-900 px-2 py-1"
        >
          <option value="">All instruction types</option>
          <option value="original">original</option>
          <option value="rewrite">rewrite</option>
          <option value="complex">complex</option>
        </select>
        <select
          aria-label="Queue order"
          value={filter.signal ? `${filter.signal}:${filter.sort ?? 'asc'}` : ''}
          onChange={(e) => {
            const [signal, sort] = e.target.value.split(':');
            setFilter({ signal: (signal || undefined) as ItemFilter['signal'], sort: (sort || undefined) as ItemFilter['sort'] });
          }}
          className="rounded-md border border-neutral-800 bg-neutral-900 px-2 py-1"
          title="Items without the signal are not in a signal-ordered queue"
        >
          {QUEUE_ORDERS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>

        {progress && (
          <div className="ml-auto flex items-center gap-3" data-testid="progress">
            <div className="h-1.5 w-40 overflow-hidden rounded-full bg-neutral-800">
              <div
                className="h-full bg-neutral-300"
                style={{ width: `${progress.total ? (100 * progress.reviewed) / progress.total : 0}%` }}
              />
            </div>
            <span className="tabular-nums text-neutral-400">
              <span className="text-neutral-100">{number.format(progress.reviewed)}</span> / {number.format(progress.total)}{' '}
              reviewed
            </span>
          </div>
        )}
        {/* After the progress, so its changing width never moves the ticking timer. */}
        <span className={progress ? '' : 'ml-auto'}>
          <LeaseTimer until={queue.leaseUntil} />
        </span>
        <span className="text-neutral-500" data-testid="reviewer">
          as <span className="text-neutral-300">{reviewer}</span>
        </span>
        <button onClick={() => setHelp(true)} className="text-neutral-500 hover:text-neutral-200" aria-label="Keyboard shortcuts">
          <kbd>?</kbd>
        </button>
      </div>

      {queue.notice && !queue.error && (
        <div role="status" className="flex items-center gap-3 border-b border-sky-900/60 bg-sky-950/40 px-4 py-2 text-sm text-sky-200">
          {queue.notice.text}
          {queue.notice.jobs && (
            <a href="/jobs" className="text-sky-400 hover:text-sky-200">
              Jobs
            </a>
          )}
          <button className="ml-auto text-sky-400 hover:text-sky-200" onClick={queue.clearError}>
            Dismiss
          </button>
        </div>
      )}
      {queue.error && (
        <div role="alert" data-testid="review-error" className="flex items-center gap-3 border-b border-amber-900/60 bg-amber-950/40 px-4 py-2 text-sm text-amber-200">
          {queue.error}
          <button className="ml-auto text-amber-400 hover:text-amber-200" onClick={queue.clearError}>
            Dismiss
          </button>
        </div>
      )}

      {!item ? (
        <div className="flex flex-1 flex-col items-center justify-center gap-3 text-neutral-400">
          {queue.loading ? (
            <p>Loading…</p>
          ) : (
            <>
              <p className="text-lg text-neutral-200" data-testid="queue-empty">
                Nothing left to review in this queue.
              </p>
              <p className="text-sm">
                Other reviewers may hold the remaining items, and items being regenerated come back when their jobs end.{' '}
                <kbd>u</kbd> undoes your last verdict.
              </p>
            </>
          )}
        </div>
      ) : (
        <>
          <div className="min-h-0 flex-1 px-4 pt-4 pb-2" data-testid="review-item" data-item-id={item.id}>
            {pair &&
              (inspect ? (
                <InspectView left={pair[0]} right={pair[1]} mode={inspect} ref={inspectRef} />
              ) : (
                // Masks are small binary PNGs: the full file keeps their edges exact.
                <ImagePair left={pair[0]} right={pair[1]} mask={showMask && item.mask ? `/api/images/mask/${item.id}?size=full` : undefined} />
              ))}
          </div>

          <div className="border-t border-neutral-800 bg-neutral-900/50 px-6 py-4">
            <div className="mx-auto flex max-w-6xl items-start gap-8">
              <InstructionPanel
                item={item}
                chosenId={chosen!.instructionVersionId}
                onChoose={setChosenInstruction}
                editing={editing}
                onEditDone={() => setEditing(false)}
                onSave={saveInstruction}
              />
              <dl className="grid shrink-0 grid-cols-[auto_auto] gap-x-3 gap-y-1 text-xs">
                <dt className="text-neutral-500">family</dt>
                <dd className="text-neutral-200" data-testid="family">{item.family}</dd>
                <dt className="text-neutral-500">task</dt>
                <dd className="text-neutral-200" data-testid="task">{item.task}</dd>
                <dt className="text-neutral-500">type</dt>
                <dd className="text-neutral-200">{item.instructionType}</dd>
                <dt className="text-neutral-500">id</dt>
                <dd className="max-w-56 truncate font-mono text-neutral-400" title={item.externalId}>
                  {item.externalId}
                </dd>
              </dl>
            </div>
            {item.inputDescription && (
              <p className="mx-auto mt-2 max-w-6xl text-sm text-neutral-500">Source: {item.inputDescription}</p>
            )}
            <div className="mx-auto mt-3 flex max-w-6xl flex-wrap items-center gap-4">
              <CandidateStrip item={item} chosenId={chosen!.candidateId} onChoose={setChosenCandidate} />
              <SignalStrip candidate={item.candidates.find((c) => c.id === chosen!.candidateId) ?? item.candidates[0]} />
              <ItemJobs item={item} />
            </div>

            {noting && (
              <div className="mx-auto mt-3 max-w-6xl">
                <NoteBox
                  onSave={async (text) => {
                    await api.addNote(item.id, text);
                    setNoteSaved(true);
                  }}
                  onClose={() => setNoting(false)}
                />
              </div>
            )}
            <div className="mx-auto mt-4 flex max-w-6xl flex-wrap items-center gap-2">
              {rejecting ? (
                <div className="flex flex-wrap items-center gap-2" data-testid="reject-reasons">
                  <span className="mr-1 text-sm text-rose-300">Reject because</span>
                  {REJECT_REASONS.map((reason, i) => (
                    <button
                      key={reason.tag}
                      aria-pressed={reasons.includes(reason.tag)}
                      onClick={() => toggleReason(reason.tag)}
                      className={`rounded-md border px-2.5 py-1.5 text-sm ${
                        reasons.includes(reason.tag)
                          ? 'border-rose-400 bg-rose-500/20 text-rose-100'
                          : 'border-neutral-700 text-neutral-300 hover:border-neutral-500'
                      }`}
                    >
                      <kbd className="mr-1.5">{i + 1}</kbd>
                      {reason.label}
                    </button>
                  ))}
                  <button
                    onClick={() => decide('reject')}
                    className="rounded-md bg-rose-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-rose-500"
                  >
                    Reject <kbd className="ml-1 border-rose-400 bg-rose-700 text-rose-50">Enter</kbd>
                  </button>
                  <button onClick={() => setRejecting(false)} className="px-2 text-sm text-neutral-500 hover:text-neutral-200">
                    Cancel <kbd>Esc</kbd>
                  </button>
                </div>
              ) : (
                <>
                  <ActionButton k="a" onClick={() => decide('accept')} className="bg-emerald-600 text-white hover:bg-emerald-500">
                    Accept
                  </ActionButton>
                  <ActionButton k="r" onClick={() => setRejecting(true)} className="bg-rose-600 text-white hover:bg-rose-500">
                    Reject
                  </ActionButton>
                  <ActionButton k="s" onClick={() => decide('skip')} className="bg-neutral-800 text-neutral-200 hover:bg-neutral-700">
                    Skip
                  </ActionButton>
                  <ActionButton k="u" onClick={queue.undoLast} className="text-neutral-300 hover:bg-neutral-800">
                    Undo
                  </ActionButton>
                  <span className="mx-2 h-5 w-px bg-neutral-800" />
                  <ActionButton k="e" onClick={() => setEditing(true)} className="text-neutral-400 hover:bg-neutral-800">
                    Edit
                  </ActionButton>
                  <ActionButton k="n" onClick={() => setNoting(true)} className="text-neutral-400 hover:bg-neutral-800">
                    {noteSaved ? 'Note saved' : 'Note'}
                  </ActionButton>
                  <ActionButton k="g" onClick={() => queue.requestJob(item, 'regenerate')} className="text-neutral-400 hover:bg-neutral-800">
                    Regenerate
                  </ActionButton>
                  {canRegeneratePair(item) && (
                    <ActionButton k="G" onClick={() => queue.requestJob(item, 'regenerate_pair')} className="text-neutral-400 hover:bg-neutral-800">
                      Regenerate pair
                    </ActionButton>
                  )}
                  <ActionButton k="w" onClick={() => queue.requestJob(item, 'rewrite')} className="text-neutral-400 hover:bg-neutral-800">
                    Rewrite
                  </ActionButton>
                  <span className="mx-2 h-5 w-px bg-neutral-800" />
                  <ActionButton k="i" onClick={() => toggleInspect('side')} className={inspectClass(inspect === 'side')}>
                    Inspect
                  </ActionButton>
                  <ActionButton k="x" onClick={() => toggleInspect('swipe')} className={inspectClass(inspect === 'swipe')}>
                    Swipe
                  </ActionButton>
                  <ActionButton k="d" onClick={() => toggleInspect('difference')} className={inspectClass(inspect === 'difference')}>
                    Difference
                  </ActionButton>
                  {item.mask && (
                    <ActionButton k="m" onClick={() => setShowMask((on) => !on)} className={inspectClass(showMask)}>
                      Mask
                    </ActionButton>
                  )}
                </>
              )}
            </div>
          </div>
        </>
      )}
      {help && <ShortcutOverlay onClose={() => setHelp(false)} />}
    </div>
  );
}

function inspectClass(active: boolean) {
  return active ? 'bg-neutral-200 text-neutral-900' : 'text-neutral-400 hover:bg-neutral-800';
}

function ActionButton({
  k,
  onClick,
  className,
  children,
}: {
  k: string;
  onClick: () => void;
  className: string;
  children: React.ReactNode;
}) {
  return (
    <button onClick={onClick} className={`flex items-center gap-2 rounded-md px-3 py-1.5 text-sm font-medium ${className}`}>
      {children}
      <kbd className="border-current/30 bg-black/20 text-current opacity-80">{k}</kbd>
    </button>
  );
}
