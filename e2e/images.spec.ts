import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { apiAs, currentItemId, importSamples, readDb } from './helpers';

test('images are served by id: previews, full files, ETags and no paths', async ({ request }) => {
  const datasetId = importSamples('images');
  const db = readDb();
  const item = db
    .prepare(`SELECT id, current_candidate_id AS candidate FROM items WHERE dataset_id = ? AND task = 'style'`)
    .get(datasetId) as { id: number; candidate: number };
  db.close();

  const preview = await request.get(`/api/images/source/${item.id}?size=preview`);
  expect(preview.status()).toBe(200);
  expect(preview.headers()['content-type']).toBe('image/webp');
  expect(preview.headers()['x-content-type-options']).toBe('nosniff');
  const etag = preview.headers()['etag'];
  expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
  expect((await preview.body()).subarray(8, 12).toString()).toBe('WEBP');

  const again = await request.get(`/api/images/source/${item.id}?size=preview`, { headers: { 'If-None-Match': etag } });
  expect(again.status()).toBe(304);

  const full = await request.get(`/api/images/candidate/${item.candidate}?size=full`);
  expect(full.status()).toBe(200);
  expect(full.headers()['content-type']).toBe('image/png');
  expect((await full.body()).subarray(1, 4).toString()).toBe('PNG');
  expect(full.headers()['etag']).not.toBe(etag);

  expect((await request.get(`/api/images/source/999999999`)).status()).toBe(404);
  expect((await request.get(`/api/images/..%2F..%2Fetc%2Fpasswd/1`)).status()).toBe(400);
  expect((await request.get(`/api/images/source/1?size=huge`)).status()).toBe(400);
});

test('the review API validates its input and reports conflicts', async ({ playwright }) => {
  const datasetId = importSamples('api');
  const filter = { datasetId, family: 'omniedit', task: 'style' };
  // Two annotators, each with their own session and page.
  const alice = await apiAs(playwright, 'ann1');
  const bob = await apiAs(playwright, 'ann2');
  const alicePage = { holder: 'api-test-alice' };
  const bobPage = { holder: 'api-test-bob' };

  const claimed = await (await alice.post('/api/queue/claim', { data: { ...alicePage, filter, count: 2 } })).json();
  expect(claimed.items).toHaveLength(1);
  expect(claimed.progress).toEqual({ reviewed: 0, total: 1 });
  expect(JSON.stringify(claimed)).not.toContain('/samples/'); // the browser never sees file paths
  const itemId = claimed.items[0].id;

  expect((await (await bob.post('/api/queue/claim', { data: { ...bobPage, filter } })).json()).items).toEqual([]);
  const stolen = await bob.post('/api/verdicts', { data: { ...bobPage, filter, itemId, decision: 'accept' } });
  expect(stolen.status()).toBe(409);
  expect((await stolen.json()).error).toMatch(/another reviewer/);
  // Bob cannot act with Alice's page id either: page ids are scoped to their user.
  const spoofed = await bob.post('/api/verdicts', { data: { ...alicePage, filter, itemId, decision: 'accept' } });
  expect(spoofed.status()).toBe(409);

  const bad = await alice.post('/api/verdicts', { data: { ...alicePage, filter, itemId, decision: 'maybe' } });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error).toMatch(/decision/);
  expect((await alice.post('/api/verdicts', { data: 'not json', headers: { 'content-type': 'application/json' } })).status()).toBe(400);

  const ok = await alice.post('/api/verdicts', {
    data: { ...alicePage, filter, itemId, decision: 'reject', reasons: ['artifacts'] },
  });
  expect(ok.status()).toBe(200);
  expect(await ok.json()).toMatchObject({ progress: { reviewed: 1, total: 1 } });
  const db = readDb();
  expect(
    db
      .prepare('SELECT u.username AS reviewer, v.decision FROM verdicts v JOIN users u ON u.id = v.reviewer WHERE v.item_id = ?')
      .get(itemId),
  ).toEqual({ reviewer: 'ann1', decision: 'reject' });
  db.close();
  const undone = await (await alice.post('/api/verdicts/undo', { data: { ...alicePage, filter } })).json();
  expect(undone).toMatchObject({ itemId, item: { id: itemId, status: 'pending' }, progress: { reviewed: 0, total: 1 } });
  expect((await alice.post('/api/queue/release', { data: alicePage })).status()).toBe(200);
  expect((await (await bob.post('/api/queue/claim', { data: { ...bobPage, filter } })).json()).items).toHaveLength(1);
  await alice.dispose();
  await bob.dispose();
});

test('an image file that went missing after import is named as missing on the review page', async ({ page }) => {
  const layout = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-e2e-missing-')), 'gpt-edit');
  fs.cpSync(path.resolve('samples/gpt-edit/omniedit/style'), path.join(layout, 'omniedit/style'), { recursive: true });
  const datasetId = importSamples('missing', layout);
  fs.rmSync(path.join(layout, 'omniedit/style/output/00000004.png'));
  try {
    await page.goto(`/review?dataset=${datasetId}`);
    await currentItemId(page);
    await expect(page.getByRole('img', { name: 'Edited image unavailable' })).toContainText('missing or unreadable');
    await expect(page.getByRole('img', { name: 'Source' })).toBeVisible();
  } finally {
    fs.rmSync(path.dirname(layout), { recursive: true, force: true });
  }
});
