import type {
  AuditClaimAnswer,
  CampaignAnswer,
  CampaignRequest,
  PreviewAnswer,
  PreviewRequest,
  ResultAnswer,
  ResultRequest,
} from '@/lib/api/audits';
import { beacon, post } from '@/lib/api/client';

/** The browser's side of the audit API (app/api/audits), over the one fetcher; the server knows the auditor from the session. */

export { ApiError } from '@/lib/api/client';

export const preview = (request: PreviewRequest) => post<PreviewAnswer>('/api/audits/preview', request);
export const create = (request: CampaignRequest) => post<CampaignAnswer>('/api/audits', request);
export const close = (campaignId: number) => post<CampaignAnswer>(`/api/audits/${campaignId}/close`, {});
export const claim = (campaignId: number, holder: string) => post<AuditClaimAnswer>(`/api/audits/${campaignId}/claim`, { holder });

/** An auditor's scores for a sample, sent with the page's holder. */
export type ResultBody = ResultRequest & { holder: string };
export const sendResult = (campaignId: number, result: ResultBody) => post<ResultAnswer>(`/api/audits/${campaignId}/results`, result);

/** Release on page close: sendBeacon survives the unload where fetch may not. */
export const releaseOnUnload = (campaignId: number, holder: string) => beacon(`/api/audits/${campaignId}/release`, { holder });

export const imageUrl = (kind: string, id: number, size: 'preview' | 'full') => `/api/images/${kind}/${id}?size=${size}`;
