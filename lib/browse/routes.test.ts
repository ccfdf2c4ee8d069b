/**
 * The browser's routes as the server answers them: a lead's bulk decision is refused to a
 * reviewer, from another origin, and for ids of another dataset; the listing hides verdicts
 * from annotators and pages by `next`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@/lib/auth/roles';
import { SAMPLES_DIR } from '@/lib/test/factories';
import { callRoute, closeRoutes, signInRoles } from '@/lib/test/routes';

const DECIDE = 'app/api/datasets/[id]/decide/route.ts';
const ITEMS = 'app/api/datasets/[id]/items/route.ts';
const COUNT = 'app/api/datasets/[id]/items/count/route.ts';

let cookies: Map<Role, string>;
let datasetId: number;
let otherIds: number[];
let ownIds: number[];

beforeAll(async () => {
  cookies = await signInRoles(['annotator', 'lead']);
  const { getDb } = await import('@/db');
  const { importGptEdit } = await import('@/lib/import/import-gpt-edit');
  datasetId = (await importGptEdit(getDb(), SAMPLES_DIR)).datasetId;
  const other = (await importGptEdit(getDb(), SAMPLES_DIR, { dataset: 'other' })).datasetId;
  const ids = (id: number) =>
    getDb().$client.prepare('SELECT id FROM items WHERE dataset_id = ? ORDER BY id LIMIT 2').pluck().all(id) as number[];
  ownIds = ids(datasetId);
  otherIds = ids(other);
});
afterAll(closeRoutes);

const decide = (cookie: string | undefined, body: unknown, origin?: string | null) =>
  callRoute(DECIDE, 'POST', { cookie, body, origin, params: { id: String(datasetId) } });
const verdictCount = async () => {
  const { getDb } = await import('@/db');
  return getDb().$client.prepare('SELECT count(*) FROM verdicts').pluck().get() as number;
};

describe('POST /api/datasets/:id/decide', () => {
  it('refuses a reviewer, a request from another origin, and ids from another dataset, writing nothing', async () => {
    const body = { decision: 'accept', filter: { ids: ownIds }, count: 2 };
    expect((await decide(cookies.get('annotator'), body)).status).toBe(403);
    expect((await decide(undefined, body)).status).toBe(401);
    const foreignOrigin = await decide(cookies.get('lead'), body, 'http://evil.example');
    expect(foreignOrigin.status).toBe(403);
    const mixed = await decide(cookies.get('lead'), { decision: 'accept', filter: { ids: [...ownIds, ...otherIds] }, count: 4 });
    expect(mixed.status).toBe(400);
    expect(mixed.json.error).toBe('2 of the 4 selected ids are not items of this dataset');
    expect(await verdictCount()).toBe(0);
  });

  it('decides for a lead, names a changed count (409) and a bad term (400)', async () => {
    const lead = cookies.get('lead');
    const stale = await decide(lead, { decision: 'reject', filter: { ids: ownIds }, count: 3 });
    expect(stale.status).toBe(409);
    expect(stale.json.error).toMatch(/now holds 2 items, not 3/);
    const bad = await decide(lead, { decision: 'reject', filter: { signal: 'ssim', signalMin: 'high' }, count: 1 });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/^signalMin: /);
    const ok = await decide(lead, { decision: 'reject', filter: { ids: ownIds }, count: 2 });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ decided: 2, unchanged: 0 });
    expect((await decide(lead, { decision: 'reject', filter: { ids: ownIds }, count: 2 })).json).toEqual({ decided: 0, unchanged: 2 });
  });
});

describe('GET /api/datasets/:id/items', () => {
  it('pages by next, shows status to leads only, and counts', async () => {
    const get = (role: Role, url: string, file = ITEMS) =>
      callRoute(file, 'GET', { cookie: cookies.get(role), url, params: { id: String(datasetId) } });
    const first = await get('lead', `/api/datasets/${datasetId}/items?limit=5`);
    expect(first.status).toBe(200);
    expect(first.json.rows).toHaveLength(5);
    expect(first.json.rows[0]).toHaveProperty('status');
    const second = await get('lead', `/api/datasets/${datasetId}/items?limit=5&after=${first.json.next}`);
    const ids = [...first.json.rows, ...second.json.rows].map((r: { id: number }) => r.id);
    expect(new Set(ids).size).toBe(10);
    const annotator = await get('annotator', `/api/datasets/${datasetId}/items?limit=5&status=rejected`);
    expect(annotator.json.rows).toHaveLength(5); // the status term is a lead's: ignored
    expect(annotator.json.rows[0]).not.toHaveProperty('status');
    expect((await get('lead', `/api/datasets/${datasetId}/items/count?status=rejected`, COUNT)).json).toEqual({ total: 2 });
    const bad = await get('lead', `/api/datasets/${datasetId}/items?ids=1,x`);
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe('ids: not an item id: x');
  });
});
