import type { ReviewItem } from '@/lib/review/items';
import type { QueueProgress } from '@/lib/review/queue';
import type { ClaimRequest, VerdictRequest } from '@/lib/review/requests';
import type { ItemFilter } from '@/lib/review/filter';

/** The browser's side of the review API (see app/api). */

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function post<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(data.error ?? `${url} failed (${response.status})`, response.status);
  return data as T;
}

export interface QueueState {
  items: ReviewItem[];
  progress: QueueProgress;
}

export const claim = (request: ClaimRequest) => post<QueueState>('/api/queue/claim', request);

export const sendVerdict = (request: VerdictRequest) =>
  post<{ verdictId: number; status: string; progress: QueueProgress }>('/api/verdicts', request);

export const undo = (request: { holder: string; reviewer: string; filter: ItemFilter }) =>
  post<{ itemId: number; item: ReviewItem; progress: QueueProgress }>('/api/verdicts/undo', request);

export const renew = (holder: string) => post<{ expiresAt: number }>('/api/queue/renew', { holder });

/** Release on page close: sendBeacon survives the unload where fetch may not. */
export const releaseOnUnload = (holder: string) => navigator.sendBeacon('/api/queue/release', JSON.stringify({ holder }));

export const saveInstruction = (itemId: number, reviewer: string, text: string) =>
  post<ReviewItem['instructions'][number]>(`/api/items/${itemId}/instructions`, { reviewer, text });

export type ImageKind = 'source' | 'candidate' | 'candidate-source';
export const previewUrl = (kind: ImageKind, id: number) => `/api/images/${kind}/${id}?size=preview`;
export const fullUrl = (kind: ImageKind, id: number) => `/api/images/${kind}/${id}?size=full`;

export type JobKind = 'regenerate' | 'regenerate_pair' | 'rewrite';
export const JOB_LABEL: Record<JobKind, string> = {
  regenerate: 'Regeneration',
  regenerate_pair: 'Pair regeneration',
  rewrite: 'Instruction rewrite',
};

export const requestJob = (itemId: number, request: { kind: JobKind; reviewer: string; holder: string }) =>
  post<{ jobId: number; estimatedUsd: number }>(`/api/items/${itemId}/jobs`, request);
