import type { CampaignPreview, Campaign } from '@/lib/audit/campaigns';
import type { CampaignRequest, PreviewRequest } from '@/lib/audit/spec';
import type { AuditProgress, ClaimResult } from '@/lib/audit/work';
import { beacon, post, type ApiError } from '@/lib/api/client';

/** The browser's side of the audit API (app/api/audits), over the one fetcher; the server knows the auditor from the session. */

export { ApiError } from '@/lib/api/client';
/** @deprecated the one ApiError of lib/api/client.ts (kept until AuditApp.tsx names it). */
export type AuditApiError = ApiError;

export const preview = (request: PreviewRequest) => post<CampaignPreview>('/api/audits/preview', request);
export const create = (request: CampaignRequest) => post<Campaign>('/api/audits', request);
export const close = (campaignId: number) => post<Campaign>(`/api/audits/${campaignId}/close`, {});
export const claim = (campaignId: number, holder: string) => post<ClaimResult>(`/api/audits/${campaignId}/claim`, { holder });

export interface ResultBody {
  holder: string;
  itemId: number;
  instructionFollowing: number;
  identityPreservation: number;
  visualQuality: number;
  pass: boolean;
  note?: string;
  msSpent?: number;
}
export const sendResult = (campaignId: number, result: ResultBody) =>
  post<{ progress: AuditProgress }>(`/api/audits/${campaignId}/results`, result);

/** Release on page close: sendBeacon survives the unload where fetch may not. */
export const releaseOnUnload = (campaignId: number, holder: string) =>
  beacon(`/api/audits/${campaignId}/release`, { holder });

export const imageUrl = (kind: string, id: number, size: 'preview' | 'full') => `/api/images/${kind}/${id}?size=${size}`;
