'use client';

import type { RefObject } from 'react';
import { useKeymap, type KeyHandlers } from '@/components/keyboard';
import { HELP_MODE, REVIEW_KEYS } from '@/components/keymap';
import type { ReviewItem } from '@/lib/review/items';
import { REJECT_REASONS } from '@/lib/review/reasons';
import type { InspectHandle, InspectMode } from './InspectView';
import type { ItemChoice } from './useItemChoice';
import type { useReviewQueue } from './useReviewQueue';

export type ReviewActions = KeyHandlers<typeof REVIEW_KEYS>;

export interface ReviewPage {
  item: ReviewItem | undefined;
  queue: ReturnType<typeof useReviewQueue>;
  choice: ItemChoice;
  inspect: InspectMode | null;
  setInspect: (update: (current: InspectMode | null) => InspectMode | null) => void;
  help: boolean;
  setHelp: (open: boolean) => void;
  setShowMask: (update: (on: boolean) => boolean) => void;
  inspectRef: RefObject<InspectHandle | null>;
}

export const canRegeneratePair = (item: ReviewItem) => item.family === 'hqedit' && item.task === 'generate' && !!item.inputDescription;

/**
 * Every action of the review page, by its keymap id (components/keymap.ts), for both its keys and
 * its buttons. The type names every action, so none is listed in the help without running.
 */
export function reviewActions(page: ReviewPage): ReviewActions {
  const { item, queue, choice } = page;
  const decide = (decision: 'accept' | 'reject' | 'skip') => {
    if (item) queue.decide(item, choice.verdict(item, decision));
  };
  // An action on the item on screen; nothing while the queue is empty.
  const onItem = (run: (on: ReviewItem) => void) => () => {
    if (item) run(item);
  };
  const toggleInspect = (mode: InspectMode) => page.setInspect((current) => (current === mode ? null : mode));
  return {
    accept: () => decide('accept'),
    reject: onItem(() => choice.setRejecting(true)),
    skip: () => decide('skip'),
    undo: () => queue.undoLast(),
    help: () => page.setHelp(true),
    toggleReason: (key) => choice.toggleReason(REJECT_REASONS[Number(key) - 1].tag),
    confirmReject: () => decide('reject'),
    cancelReject: () => choice.setRejecting(false),
    nextInstruction: choice.cycleInstruction,
    edit: onItem(() => choice.setEditing(true)),
    note: onItem(() => choice.setNoting(true)),
    nextCandidate: choice.cycleCandidate,
    regenerate: onItem((on) => queue.requestJob(on, 'regenerate')),
    regeneratePair: onItem((on) => canRegeneratePair(on) && queue.requestJob(on, 'regenerate_pair')),
    rewrite: onItem((on) => queue.requestJob(on, 'rewrite')),
    inspectSide: () => toggleInspect('side'),
    inspectSwipe: () => toggleInspect('swipe'),
    inspectDifference: () => toggleInspect('difference'),
    mask: onItem((on) => on.mask && page.setShowMask((shown) => !shown)),
    moveSwipe: (key) => page.inspectRef.current?.nudgeSwipe(key === 'ArrowLeft' ? -5 : 5),
    resetZoom: () => page.inspectRef.current?.reset(),
    leave: () => (page.inspect ? page.setInspect(() => null) : queue.clearError()),
    closeHelp: () => page.setHelp(false),
  };
}

/** The review page's keys (keyboard-first: every action has one; ignored while typing). Answers the actions, for the buttons. */
export function useReviewKeys(page: ReviewPage): ReviewActions {
  const actions = reviewActions(page);
  const mode = page.help ? HELP_MODE : page.choice.rejecting ? 'rejecting' : 'normal';
  useKeymap(REVIEW_KEYS, actions, { mode });
  return actions;
}
