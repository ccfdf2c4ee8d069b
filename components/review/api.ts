import { beacon, get, post } from '@/lib/api/client';
import type { ImageKind as ServedImageKind } from '@/lib/api/images';
import type { CommentAnswer } from '@/lib/api/items';
import type { JobQueued, JobRequestBody } from '@/lib/api/jobs';
import type {
  ClaimAnswer,
  ClaimRequest,
  InstructionEditAnswer,
  RenewAnswer,
  UndoAnswer,
  UndoRequest,
  VerdictAnswer,
  VerdictRequest,
} from '@/lib/api/reviews';
import type { JobKind } from '@/lib/jobs/kinds';

/**
 * The browser's side of the review API (see app/api), over the one fetcher (lib/api/client.ts).
 * The server knows the reviewer from the session cookie; bodies carry only the page's holder
 * id where leases are involved.
 */

export { ApiError, serverNow } from '@/lib/api/client';

export type QueueState = ClaimAnswer;

export const claim = (request: ClaimRequest) => post<ClaimAnswer>('/api/queue/claim', request);

export const sendVerdict = (request: VerdictRequest) => post<VerdictAnswer>('/api/verdicts', request);

export const undo = (request: UndoRequest) => post<UndoAnswer>('/api/verdicts/undo', request);

/** Extends the page's live leases (expired ones stay expired); answers the new expiry (ms epoch, server clock). */
export const renew = (holder: string) => post<RenewAnswer>('/api/queue/renew', { holder });

/** Release on page close: sendBeacon survives the unload where fetch may not. */
export const releaseOnUnload = (holder: string) => beacon('/api/queue/release', { holder });

export const saveInstruction = (itemId: number, text: string) => post<InstructionEditAnswer>(`/api/items/${itemId}/instructions`, { text });

/** The images a review page shows (masks are the item page's). */
export type ImageKind = Exclude<ServedImageKind, 'mask'>;
export const previewUrl = (kind: ImageKind, id: number) => `/api/images/${kind}/${id}?size=preview`;
/** The dataset grid's thumbnail (384 px on its long side, stored beside the previews): a screen of them is a fraction of the previews' bytes. */
export const thumbUrl = (kind: ImageKind, id: number) => `/api/images/${kind}/${id}?size=thumb`;
export const fullUrl = (kind: ImageKind, id: number) => `/api/images/${kind}/${id}?size=full`;

/** The kinds are lib/jobs/kinds (server-only: their labels reach the page through components/jobs/JobKinds.tsx). */
export type { JobKind };

export const requestJob = (itemId: number, request: JobRequestBody) => post<JobQueued>(`/api/items/${itemId}/jobs`, request);

export interface JobState {
  id: number;
  itemId: number;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  error: string | null;
}

/** The state of the page's jobs, in one request (GET /api/jobs?ids=1,2,3; at most 50, as the page keeps a few). */
export async function jobStates(jobIds: number[]): Promise<{ id: number; job: JobState | undefined }[]> {
  const { jobs } = await get<{ jobs: JobState[] }>(`/api/jobs?ids=${jobIds.slice(0, 50).join(',')}`);
  return jobIds.slice(0, 50).map((id) => ({ id, job: jobs.find((job) => job.id === id) }));
}

export const jobEnded = (status: JobState['status']) => status === 'succeeded' || status === 'failed' || status === 'cancelled';

/** A note on the item for the leads (stored as a comment: leads and its author see it). */
export const addNote = (itemId: number, body: string) => post<CommentAnswer>(`/api/items/${itemId}/comments`, { body });
