/**
 * The review queue as a review page sees it: the items it holds, shown as pending, and its
 * progress. The routes of the review page answer with this after every action.
 */
import type { Db } from '@/db';
import { decidedVersion } from './decided';
import type { QueueFilter } from '../filter/filter';
import { getReviewItem, type ReviewItem } from './items';
import { claimItems, leaseIfClaimable, queueProgress, type Claimant, type QueueProgress } from './queue';

export interface QueueState {
  items: ReviewItem[];
  progress: QueueProgress;
}

/**
 * An item as a review page shows it. Everything in a queue awaits this reviewer's verdict,
 * so it is shown as pending: a gold item (decided) must look like any other. A gold item is
 * offered as it was decided (lib/review/decided.ts), so its answer is scored against the
 * version the expected decision was made on, not a regeneration made since.
 */
export function queueItem(db: Db, id: number): ReviewItem | undefined {
  const item = getReviewItem(db, id);
  if (!item) return undefined;
  const decided = item.status === 'pending' ? undefined : decidedVersion(db, id);
  return {
    ...item,
    status: 'pending',
    ...(decided ? { currentCandidateId: decided.candidateId, currentInstructionId: decided.instructionId } : {}),
  };
}

/**
 * What a review page needs after any action: its leased items in order, and progress.
 * `prefer`: items the page asks back (their jobs ended): leased first when still free, and
 * listed first, on top of `count`.
 */
export function claimQueue(db: Db, filter: QueueFilter, who: Claimant, count: number, prefer: number[] = []): QueueState {
  const back = prefer.filter((id) => leaseIfClaimable(db, filter, who, id));
  const claimed = claimItems(db, filter, who, count + back.length);
  const ids = [...back.filter((id) => claimed.includes(id)), ...claimed.filter((id) => !back.includes(id))];
  return {
    items: ids.map((id) => queueItem(db, id)).filter((item): item is ReviewItem => item !== undefined),
    progress: queueProgress(db, filter),
  };
}
