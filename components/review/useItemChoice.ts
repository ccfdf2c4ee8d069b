'use client';

import { useEffect, useRef, useState } from 'react';
import { choiceFor, nextOf, pick, type PageChoice } from '@/lib/review/choice';
import type { ReviewItem } from '@/lib/review/items';
import type { RejectReason } from '@/lib/review/reasons';
import type { VerdictChoice } from './queue-view';

/**
 * What the reviewer has picked and opened on the item on screen: the edited image and
 * instruction version, a reject in progress with its reasons, the editor and the note box.
 * Picks and a reject in progress belong to the item they were made on (see lib/review/choice.ts):
 * in the moment after the next item appears, before any effect runs, they must not apply to it.
 */
export function useItemChoice(item: ReviewItem | undefined) {
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
  const [noting, setNoting] = useState(false);
  const [noteSaved, setNoteSaved] = useState(false);
  const shownAt = useRef(0);

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

  return {
    chosen,
    setChosenCandidate,
    setChosenInstruction,
    cycleInstruction: () => {
      if (!item || !chosen || item.instructions.length < 2) return;
      setChosenInstruction(
        nextOf(
          item.instructions.map((v) => v.id),
          chosen.instructionVersionId,
        ),
      );
    },
    cycleCandidate: () => {
      if (!item || !chosen || item.candidates.length < 2) return;
      setChosenCandidate(
        nextOf(
          item.candidates.map((c) => c.id),
          chosen.candidateId,
        ),
      );
    },
    rejecting,
    setRejecting,
    reasons,
    toggleReason: (tag: RejectReason) => {
      if (!item) return;
      const list = reasons.includes(tag) ? reasons.filter((r) => r !== tag) : [...reasons, tag];
      setReasonsOf({ itemId: item.id, tags: list });
    },
    editing,
    setEditing,
    noting,
    setNoting,
    noteSaved,
    setNoteSaved,
    /** A verdict on `on`: versions from this same item object, never a pick made on another item. */
    verdict: (on: ReviewItem, decision: VerdictChoice['decision']): VerdictChoice => ({
      decision,
      ...choiceFor(on, choice),
      reasons: decision === 'reject' ? reasons : undefined,
      msSpent: Math.round(performance.now() - shownAt.current),
    }),
  };
}

export type ItemChoice = ReturnType<typeof useItemChoice>;
