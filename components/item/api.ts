import { request } from '@/lib/api/client';

/**
 * The browser's side of the lead's item routes (see app/api), over the one fetcher
 * (lib/api/client.ts). The session cookie names the user; the browser sends Origin on these
 * same-origin writes, which the server checks.
 */

/** Sends a JSON request; answers the JSON body, or throws ApiError with the server's message. */
export const send = <T>(url: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', body?: unknown) => request<T>(url, method, body);

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
  type Page = { items: { id: number }[] };
  const after = await send<Page>(`/api/adjudication?after=${itemId}&limit=1${scope}`, 'GET');
  if (after.items[0]) return after.items[0].id;
  const fromStart = await send<Page>(`/api/adjudication?limit=2${scope}`, 'GET');
  return fromStart.items.find((item) => item.id !== itemId)?.id;
}
