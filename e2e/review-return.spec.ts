import { expect, test } from '@playwright/test';
import { currentItemId, importSamples, readDb } from './helpers';

/** The dataset's items held now, by id. */
function heldItems(datasetId: number): number[] {
  const db = readDb();
  try {
    return db
      .prepare('SELECT id FROM items WHERE dataset_id = ? AND lease_holder IS NOT NULL AND lease_expires_at > ? ORDER BY id')
      .pluck()
      .all(datasetId, Date.now()) as number[];
  } finally {
    db.close();
  }
}

test('leaving the review page for another page of the app gives its items back, and coming back claims again', async ({ page }) => {
  const datasetId = importSamples('return');
  await page.goto(`/review?dataset=${datasetId}`);
  const first = await currentItemId(page);
  expect(heldItems(datasetId)).toContain(first);
  // Marks this document: a full page load would lose it, and this test is about client-side navigation.
  await page.evaluate(() => Object.assign(window, { sameDocument: true }));

  await page.getByRole('link', { name: 'Jobs' }).click();
  await expect(page).toHaveURL(/\/jobs$/);
  await expect.poll(() => heldItems(datasetId)).toEqual([]);

  await page.goBack();
  await expect(page).toHaveURL(/\/review\?/);
  const shown = await currentItemId(page);
  expect(await page.evaluate(() => 'sameDocument' in window)).toBe(true);
  // The page shows only items it holds again (not the claim it gave back, from a cache).
  await expect.poll(() => heldItems(datasetId)).toContain(shown);
  await expect.poll(() => heldItems(datasetId).length).toBe(4);
});
