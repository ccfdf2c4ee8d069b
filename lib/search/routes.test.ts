/**
 * The search over HTTP: the dataset's index status (building, then ready; 404 for no dataset),
 * and hostile searches on the browser's listing answered 400 with the reason, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@/lib/auth/roles';
import { SAMPLES_DIR } from '@/lib/test/factories';
import { callRoute, closeRoutes, signInRoles } from '@/lib/test/routes';

const STATUS = 'app/api/datasets/[id]/search-status/route.ts';
const ITEMS = 'app/api/datasets/[id]/items/route.ts';

let cookies: Map<Role, string>;
let datasetId: number;

beforeAll(async () => {
  cookies = await signInRoles(['annotator']);
  const { getDb } = await import('@/db');
  const { importGptEdit } = await import('@/lib/import/import-gpt-edit');
  datasetId = (await importGptEdit(getDb(), SAMPLES_DIR)).datasetId;
});
afterAll(closeRoutes);

const status = (id: number) => callRoute(STATUS, 'GET', { cookie: cookies.get('annotator'), params: { id: String(id) } });
const items = (q: string) =>
  callRoute(ITEMS, 'GET', { cookie: cookies.get('annotator'), url: `/?${new URLSearchParams({ q })}`, params: { id: String(datasetId) } });

describe('GET /api/datasets/:id/search-status', () => {
  it('says the index is building until the builder has every item, then ready; 404 for an unknown dataset', async () => {
    const { getDb } = await import('@/db');
    const { buildSearchIndex } = await import('@/lib/search/build');
    const before = await status(datasetId);
    expect(before.status).toBe(200);
    expect(before.json).toEqual({ ready: false, indexed: 0, total: 12 });
    // Searching meanwhile finds the items by the scan.
    const scanned = await items('horse');
    expect(scanned.status).toBe(200);
    expect((scanned.json as { rows: unknown[] }).rows.length).toBe(2);
    await buildSearchIndex(getDb());
    expect((await status(datasetId)).json).toEqual({ ready: true, indexed: 12, total: 12 });
    const indexed = await items('HORSE');
    expect((indexed.json as { rows: unknown[] }).rows).toEqual((scanned.json as { rows: unknown[] }).rows);
    expect((await status(datasetId + 100)).status).toBe(404);
  });
});

describe('hostile searches on the listing', () => {
  it('answer 400 naming the term and the reason, never an FTS5 error', async () => {
    for (const q of [
      '"',
      'sky"',
      '*',
      'NEAR(sky car)',
      'sky NEAR car',
      'instructions:sky',
      '{instructions}: sky',
      'sky OR car',
      '^sky',
      'x'.repeat(1001),
    ]) {
      const answer = await items(q);
      expect(answer.status, q).toBe(400);
      expect(answer.text, q).toMatch(/search|q\b/);
      expect(answer.text, q).not.toMatch(/fts5|syntax error|SQLITE/i);
    }
    for (const q of ['"the horse"', 'hors*', 'café', 'x'.repeat(1000)]) expect((await items(q)).status, q).toBe(200);
  });
});
