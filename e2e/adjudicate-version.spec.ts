import { expect, test } from '@playwright/test';
import { apiAs, importSamples, readDb } from './helpers';

/**
 * Overlap 2: one annotator accepts the dataset edit, a regeneration is made, the other accepts
 * the regeneration. That is a dispute; the lead picks the first annotator's version on the item
 * page (the pair switches to it) and accepts it: that version is the decided one.
 */
test('a lead adjudicates two accepts of different versions by choosing the version a reviewer accepted', async ({
  page,
  request,
  playwright,
}, testInfo) => {
  const datasetId = importSamples('adjudicate-version');
  expect((await request.patch(`/api/datasets/${datasetId}/settings`, { data: { overlap: 2 } })).status()).toBe(200);
  const filter = { datasetId, family: 'omniedit', task: 'style' };

  /** An annotator claims the one item of the filter and accepts the version it is offered. */
  const acceptAs = async (user: 'ann1' | 'ann2') => {
    const api = await apiAs(playwright, user);
    const holder = `${user}-page-adjudicate-version`;
    const claimed = await api.post('/api/queue/claim', { data: { filter, holder, count: 1 } });
    expect(claimed.status()).toBe(200);
    const [item] = (await claimed.json()).items as { id: number; currentCandidateId: number; currentInstructionId: number }[];
    const verdict = await api.post('/api/verdicts', {
      data: {
        holder,
        filter,
        itemId: item.id,
        decision: 'accept',
        candidateId: item.currentCandidateId,
        instructionVersionId: item.currentInstructionId,
      },
    });
    expect(verdict.status()).toBe(200);
    await api.dispose();
    return item;
  };

  const first = await acceptAs('ann1');
  const itemId = first.id;
  // A regeneration after the first accept (a lead asks for it); the in-server worker runs it.
  expect((await request.post(`/api/items/${itemId}/jobs`, { data: { kind: 'regenerate' } })).status()).toBe(201);
  await expect
    .poll(
      () => {
        const db = readDb();
        try {
          return db.prepare('SELECT current_candidate_id FROM items WHERE id = ?').pluck().get(itemId);
        } finally {
          db.close();
        }
      },
      { timeout: 30_000 },
    )
    .not.toBe(first.currentCandidateId);
  const second = await acceptAs('ann2');
  expect(second.id).toBe(itemId);
  expect(second.currentCandidateId).not.toBe(first.currentCandidateId);

  await page.goto(`/items/${itemId}`);
  await expect(page.getByTestId('item-status')).toHaveText('disputed');
  const versions = page.getByRole('radiogroup', { name: 'Version to decide on' }).getByRole('radio');
  await expect(versions).toHaveCount(2);
  // By default the page shows (and would decide on) the current version: the regeneration ann2 accepted.
  await expect(page.getByTestId('item-pair')).toHaveAttribute('data-candidate-id', String(second.currentCandidateId));
  await expect(versions.nth(0)).toHaveAttribute('aria-checked', 'true');
  await expect(versions.nth(0)).toContainText('regeneration 1');
  await expect(versions.nth(0)).toContainText('accepted by ann2');
  await expect(versions.nth(1)).toContainText('dataset edit');
  await expect(versions.nth(1)).toContainText('accepted by ann1');

  // v switches the page to the next version: ann1's dataset edit; the pair shows it.
  await page.keyboard.press('v');
  await expect(versions.nth(1)).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('item-pair')).toHaveAttribute('data-candidate-id', String(first.currentCandidateId));
  await expect(page.getByTestId('item-pair').getByRole('img', { name: 'Edited' })).toHaveAttribute(
    'src',
    `/api/images/candidate/${first.currentCandidateId}?size=preview`,
  );
  await page.screenshot({ path: testInfo.outputPath('item-page-choosing.png'), fullPage: true });

  await page.keyboard.press('a');
  await expect(page.getByTestId('item-status')).toHaveText('accepted');
  // The decided version is ann1's, although the regeneration is current.
  await expect(page.getByTestId('decided-label')).toHaveText(/^dataset edit · /);
  await expect(page.getByTestId('item-pair')).toHaveAttribute('data-candidate-id', String(first.currentCandidateId));
  await page.screenshot({ path: testInfo.outputPath('item-page-adjudicated.png'), fullPage: true });

  const db = readDb();
  try {
    const adjudication = db
      .prepare(
        `SELECT candidate_id AS candidateId, instruction_version_id AS instructionId FROM verdicts WHERE item_id = ? AND kind = 'adjudication'`,
      )
      .get(itemId);
    expect(adjudication).toEqual({ candidateId: first.currentCandidateId, instructionId: first.currentInstructionId });
  } finally {
    db.close();
  }
});
