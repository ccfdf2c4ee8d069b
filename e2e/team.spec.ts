import { expect, test } from '@playwright/test';
import { apiAs, currentItemId, importSamples, pageAs, readDb, verdictsRecorded } from './helpers';

test('two annotators disagree on an item with overlap 2, and the lead adjudicates it', async ({ browser, page, request, playwright }) => {
  const datasetId = importSamples('team');
  const settings = await request.patch(`/api/datasets/${datasetId}/settings`, { data: { overlap: 2 } });
  expect(await settings.json()).toMatchObject({ overlap: 2 });
  const queue = `/review?dataset=${datasetId}&family=omniedit&task=style`; // one item

  // Annotator 1 accepts the item; it still needs a second verdict.
  const ann1 = await pageAs(browser, 'ann1');
  await ann1.goto(queue);
  await expect(ann1.getByTestId('reviewer')).toContainText('ann1');
  await expect(ann1.getByTestId('lease-remaining')).toContainText(/held \d:\d\d/);
  const itemId = await currentItemId(ann1);
  await ann1.keyboard.press('a');
  await expect(ann1.getByTestId('review-item')).toHaveCount(0);
  await verdictsRecorded(itemId, 1);

  // Annotator 2, in a separate browser context, gets the same item and sees nothing of the first verdict.
  const ann2 = await pageAs(browser, 'ann2');
  await ann2.goto(queue);
  expect(await currentItemId(ann2)).toBe(itemId);
  await expect(ann2.getByTestId('review-item')).not.toContainText('ann1');
  // A note for the leads, then the reject.
  await ann2.keyboard.press('n');
  await ann2.getByLabel('Note for the leads').fill('the sky changed colour too');
  await ann2.getByLabel('Note for the leads').press('Enter');
  await expect(ann2.getByRole('button', { name: /Note saved/ })).toBeVisible();
  await ann2.keyboard.press('r');
  await ann2.keyboard.press('2');
  await ann2.keyboard.press('Enter');
  await expect(ann2.getByTestId('review-item')).toHaveCount(0);
  await verdictsRecorded(itemId, 2);

  // Annotators cannot read the item's history or adjudicate.
  const asAnn1 = await apiAs(playwright, 'ann1');
  expect((await asAnn1.get(`/api/items/${itemId}/history`)).status()).toBe(403);
  expect((await asAnn1.post(`/api/items/${itemId}/adjudicate`, { data: { decision: 'accept' } })).status()).toBe(403);
  await asAnn1.dispose();

  let db = readDb();
  expect(db.prepare('SELECT status FROM items WHERE id = ?').pluck().get(itemId)).toBe('disputed');
  db.close();

  // The lead opens the adjudication queue, sees both verdicts with the reason, and decides.
  await page.goto(`/adjudicate?dataset=${datasetId}`);
  await page.locator(`a[href^="/items/${itemId}?"]`).first().click();
  await expect(page).toHaveURL(new RegExp(`/items/${itemId}`));
  const rows = page.getByTestId('verdict-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: 'ann1' })).toContainText(/accept/i);
  await expect(rows.filter({ hasText: 'ann2' })).toContainText(/reject/i);
  await expect(page.getByTestId('comment')).toContainText('the sky changed colour too');
  await page.getByTestId('adjudicate-accept').click();

  await expect
    .poll(() => {
      const check = readDb();
      try {
        return check.prepare('SELECT status FROM items WHERE id = ?').pluck().get(itemId);
      } finally {
        check.close();
      }
    })
    .toBe('accepted');
  db = readDb();
  const log = db
    .prepare(
      'SELECT u.username AS reviewer, v.decision, v.kind FROM verdicts v JOIN users u ON u.id = v.reviewer WHERE v.item_id = ? ORDER BY v.id',
    )
    .all(itemId);
  db.close();
  expect(log).toEqual([
    { reviewer: 'ann1', decision: 'accept', kind: 'review' },
    { reviewer: 'ann2', decision: 'reject', kind: 'review' },
    { reviewer: 'lead', decision: 'accept', kind: 'adjudication' },
  ]);

  // The history shows the whole life of the item.
  await page.goto(`/items/${itemId}`);
  await expect(page.getByTestId('history-event').filter({ hasText: /adjudicat/i })).toHaveCount(1);
  await ann1.context().close();
  await ann2.context().close();
});
