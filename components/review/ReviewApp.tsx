'use client';

import { useMemo, useRef, useState } from 'react';
import { ShortcutDialog } from '@/components/ShortcutDialog';
import { REVIEW_KEYS } from '@/components/keymap';
import type { QueueFilter } from '@/lib/filter/filter';
import type { ReviewItem } from '@/lib/review/items';
import * as api from './api';
import type { QueueOptions } from './FilterBar';
import { FilterNotice } from './FilterNotice';
import type { TermsNotice } from './filter-terms';
import { ImagePair, type PairImage } from './ImagePair';
import { InspectView, type InspectHandle, type InspectMode } from './InspectView';
import { ItemPanel } from './ItemPanel';
import { QueueBar } from './QueueBar';
import { QueueMessages } from './QueueMessages';
import { useItemChoice } from './useItemChoice';
import { useHolder } from './useReviewer';
import { useReviewKeys } from './useReviewKeys';
import { useReviewQueue } from './useReviewQueue';

function pairOf(item: ReviewItem, candidateId: number): [PairImage, PairImage] {
  const candidate = item.candidates.find((c) => c.id === candidateId) ?? item.candidates[0];
  // A pair regeneration brings its own source image.
  const source = candidate.source
    ? {
        url: api.previewUrl('candidate-source', candidate.id),
        fullUrl: api.fullUrl('candidate-source', candidate.id),
        ...candidate.source,
        note: 'regenerated',
      }
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

/**
 * The review page: the queue (useReviewQueue), what the reviewer picked on the item on screen
 * (useItemChoice), its keys and buttons (useReviewKeys, components/keymap.ts), laid out as the
 * queue bar (with the note on URL terms it left out), the pair and the item panel. `reviewer` is
 * the signed-in user's name.
 */
export function ReviewApp({
  filter,
  notice,
  options,
  reviewer,
}: {
  filter: QueueFilter;
  /** The URL's filter terms the queue left out (components/review/url-terms.ts). */
  notice: TermsNotice;
  options: QueueOptions;
  reviewer: string;
}) {
  const holder = useHolder();
  const queue = useReviewQueue(filter, holder);
  const item = queue.current;
  const choice = useItemChoice(item);
  const [inspect, setInspect] = useState<InspectMode | null>(null);
  const [help, setHelp] = useState(false);
  const [showMask, setShowMask] = useState(false);
  const inspectRef = useRef<InspectHandle>(null);
  const actions = useReviewKeys({ item, queue, choice, inspect, setInspect, help, setHelp, setShowMask, inspectRef });

  const saveInstruction = async (text: string) => {
    if (!item) return;
    const version = await api.saveInstruction(item.id, text);
    queue.updateItem(item.id, (it) => ({ ...it, instructions: [...it.instructions, version], currentInstructionId: version.id }));
    choice.setChosenInstruction(version.id);
  };

  const chosenCandidate = choice.chosen?.candidateId;
  const pair = useMemo(() => (item && chosenCandidate !== undefined ? pairOf(item, chosenCandidate) : undefined), [item, chosenCandidate]);

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <QueueBar
        filter={filter}
        options={options}
        progress={queue.progress}
        leaseUntil={queue.leaseUntil}
        reviewer={reviewer}
        onHelp={() => setHelp(true)}
      />
      <FilterNotice notice={notice} />
      <QueueMessages notice={queue.notice} error={queue.error} onDismiss={queue.clearError} />

      {!item ? (
        <EmptyQueue loading={queue.loading} />
      ) : (
        <>
          <div className="min-h-0 flex-1 px-4 pt-4 pb-2" data-testid="review-item" data-item-id={item.id}>
            {pair &&
              (inspect ? (
                <InspectView left={pair[0]} right={pair[1]} mode={inspect} ref={inspectRef} />
              ) : (
                // Masks are small binary PNGs: the full file keeps their edges exact.
                <ImagePair
                  left={pair[0]}
                  right={pair[1]}
                  mask={showMask && item.mask ? `/api/images/mask/${item.id}?size=full` : undefined}
                />
              ))}
          </div>
          <ItemPanel
            item={item}
            choice={choice}
            actions={actions}
            inspect={inspect}
            showMask={showMask}
            onSaveInstruction={saveInstruction}
            onSaveNote={async (text) => {
              await api.addNote(item.id, text);
              choice.setNoteSaved(true);
            }}
          />
        </>
      )}
      {help && <ShortcutDialog keymap={REVIEW_KEYS} onClose={() => setHelp(false)} />}
    </div>
  );
}

function EmptyQueue({ loading }: { loading: boolean }) {
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-3 text-neutral-400">
      {loading ? (
        <p>Loading…</p>
      ) : (
        <>
          <p className="text-lg text-neutral-200" data-testid="queue-empty">
            Nothing left to review in this queue.
          </p>
          <p className="text-sm">
            Other reviewers may hold the remaining items, and items being regenerated come back when their jobs end. <kbd>u</kbd> undoes
            your last verdict.
          </p>
        </>
      )}
    </div>
  );
}
