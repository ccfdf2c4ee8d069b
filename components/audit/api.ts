import type { CampaignPreview, Campaign } from '@/lib/audit/campaigns';
import type { CampaignRequest, PreviewRequest } from '@/lib/audit/spec';
import type { AuditProgress, ClaimResult } from '@/lib/audit/work';

/** The browser's side of the audit API (app/api/audits); the server knows the auditor from the session. */

export class AuditApiError extends Error {
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
  if (response.status === 401) {
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
    throw new AuditApiError('Your session ended; taking you to the sign-in page…', 401);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new AuditApiError(data.error ?? `${url} failed (${response.status})`, response.status);
  return data as T;
}

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
  navigator.sendBeacon(`/api/audits/${campaignId}/release`, JSON.stringify({ holder }));

export const imageUrl = (kind: string, id: number, size: 'preview' | 'full') => `/api/images/${kind}/${id}?size=${size}`;
