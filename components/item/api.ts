import { del, get, post, put } from '@/lib/api/client';
import type {
  AdjudicationAnswer,
  AdjudicationPage,
  AdjudicationRequest,
  CommentAnswer,
  GoldAnswer,
  GoldRemovedAnswer,
  GoldRequest,
} from '@/lib/api/items';
import type { JobQueued, JobRequestBody, JobsAnswer } from '@/lib/api/jobs';

/**
 * The browser's side of the lead's item routes (see app/api), over the one fetcher
 * (lib/api/client.ts). The session cookie names the user; the browser sends Origin on these
 * same-origin writes, which the server checks.
 */

/** A lead decides a disputed item (or re-decides an adjudicated one). */
export const adjudicate = (itemId: number, decision: AdjudicationRequest) =>
  post<AdjudicationAnswer>(`/api/items/${itemId}/adjudicate`, decision);

export const addComment = (itemId: number, body: string) => post<CommentAnswer>(`/api/items/${itemId}/comments`, { body });

/** Marks a decided item as gold with its expected verdict (default: its decided status). */
export const markGold = (itemId: number, request: GoldRequest) => put<GoldAnswer>(`/api/items/${itemId}/gold`, request);
export const unmarkGold = (itemId: number) => del<GoldRemovedAnswer>(`/api/items/${itemId}/gold`);

/** The item page in the adjudication flow (deciding moves on to the next disputed item). */
export function adjudicationHref(itemId: number, datasetId?: number) {
  return `/items/${itemId}?from=adjudicate${datasetId ? `&dataset=${datasetId}` : ''}`;
}

export function queueHref(datasetId?: number) {
  return datasetId ? `/adjudicate?dataset=${datasetId}` : '/adjudicate';
}

/**
 * The disputed item to open after `itemId`, asked fresh (another lead may have decided the
 * one the page was rendered with): the next by id, else the first that is not `itemId`.
 */
export async function findNextDisputed(itemId: number, datasetId?: number): Promise<number | undefined> {
  const scope = datasetId ? `&datasetId=${datasetId}` : '';
  const after = await get<AdjudicationPage>(`/api/adjudication?after=${itemId}&limit=1${scope}`);
  if (after.items[0]) return after.items[0].id;
  const fromStart = await get<AdjudicationPage>(`/api/adjudication?limit=2${scope}`);
  return fromStart.items.find((item) => item.id !== itemId)?.id;
}

/** Queues a job of a kind a person asks for on one item (a regeneration, a rewrite, a judgement). */
export const requestItemJob = (itemId: number, kind: JobRequestBody['kind']) => post<JobQueued>(`/api/items/${itemId}/jobs`, { kind });

/** The item's newest jobs (GET /api/jobs?item=). */
export const itemJobs = (itemId: number) => get<JobsAnswer>(`/api/jobs?item=${itemId}&limit=${ITEM_JOBS}`);

/** How many of an item's jobs its page lists. */
export const ITEM_JOBS = 10;
