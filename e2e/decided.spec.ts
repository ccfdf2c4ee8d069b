import { expect, test } from '@playwright/test';
import { currentItemId, importSamples, pageAs, readDb, verdictsRecorded } from './helpers';

/**
 * An item accepted on its dataset edit and regenerated afterwards: the item page, the dataset
 * page and an audit of accepted items show the accepted version, say which one it is, and
 * say that a newer regeneration exists that nobody reviewed.
 */
test('a decided item is shown and audited as it was decided, not as it is now', async ({ page, request, browser }, testInfo) => {
  const datasetId = importSamples('decided');
  await page.goto(`/review?dataset=${datasetId}&family=omniedit&task=style`);
  const itemId = await currentItemId(page);
  await page.keyboard.press('a');
  await expect(page.getByTestId('queue-empty')).toBeVisible();
  // The page moves on before the server has the verdict.
  await verdictsRecorded(itemId, 1);

  const db = readDb();
  const datasetEdit = db.prepare(`SELECT id FROM candidates WHERE item_id = ? AND origin = 'dataset'`).pluck().get(itemId) as number;
  const acceptedInstruction = db
    .prepare(
      `SELECT iv.text FROM verdicts v JOIN instruction_versions iv ON iv.id = v.instruction_version_id WHERE v.item_id = ? AND v.decision = 'accept'`,
    )
    .pluck()
    .get(itemId) as string | undefined;
  db.close();

  // A regeneration after the accept (a lead asks for it from the API); the in-server worker runs it.
  const queued = await request.post(`/api/items/${itemId}/jobs`, { data: { kind: 'regenerate' } });
  expect(queued.status()).toBe(201);
  await expect
    .poll(
      () => {
        const check = readDb();
        try {
          return check.prepare(`SELECT current_candidate_id FROM items WHERE id = ?`).pluck().get(itemId);
        } finally {
          check.close();
        }
      },
      { timeout: 30_000 },
    )
    .not.toBe(datasetEdit);

  // The item page: the accepted pair and instruction, named, with the newer regeneration flagged.
  await page.goto(`/items/${itemId}`);
  await expect(page.getByTestId('item-status')).toHaveText('accepted');
  await expect(page.getByTestId('item-pair')).toHaveAttribute('data-candidate-id', String(datasetEdit));
  await expect(page.getByTestId('decided-version')).toContainText('accepted version:');
  await expect(page.getByTestId('decided-label')).toHaveText(/^dataset edit · /);
  await expect(page.getByTestId('decided-newer')).toContainText('a newer regeneration exists (not reviewed)');
  await expect(page.getByTestId('item-instruction')).toHaveText(acceptedInstruction!);
  await expect(page.getByTestId('item-pair').getByRole('img', { name: 'Edited' })).toHaveAttribute(
    'src',
    `/api/images/candidate/${datasetEdit}?size=preview`,
  );
  // The verdict table names what the verdict applied to.
  await expect(page.getByTestId('verdict-version')).toHaveText(/^dataset edit · /);
  await page.screenshot({ path: testInfo.outputPath('item-page.png'), fullPage: true });

  // The dataset page lists the accepted instruction, flagged as changed since.
  await page.goto(`/datasets/${datasetId}?task=omniedit/style&view=table`);
  await expect(page.getByTestId('item-row-instruction')).toContainText(acceptedInstruction!);
  await expect(page.getByTestId('item-row-newer')).toHaveText('other edit since');
  await page.screenshot({ path: testInfo.outputPath('dataset-page.png'), fullPage: true });

  // An audit of accepted items scores the accepted image, and says so when not blind.
  const created = await request.post('/api/audits', {
    data: {
      name: `Accepted ${Date.now()}`,
      datasetId,
      population: { kind: 'accepted' },
      sampling: { mode: 'fixed', perStratum: 1 },
      blind: false,
    },
  });
  expect(created.status()).toBe(201);
  const campaignId = (await created.json()).id as number;
  const auditor = await pageAs(browser, 'auditor');
  await auditor.goto(`/audits/${campaignId}`);
  await expect(auditor.getByTestId('audit-item')).toHaveAttribute('data-item-id', String(itemId));
  await expect(auditor.getByTestId('audit-version')).toContainText(/accepted version: dataset edit · /);
  await expect(auditor.getByTestId('audit-version')).toContainText('a newer regeneration exists (not reviewed)');
  await expect(auditor.getByTestId('audit-instruction')).toHaveText(acceptedInstruction!);
  // Reviewers are named by their current username (verdicts record the user id).
  await expect(auditor.getByTestId('audit-verdicts')).toContainText('lead accept');
  await expect(auditor.getByTestId('audit-item').getByRole('img', { name: 'Edited' })).toHaveAttribute(
    'src',
    `/api/images/candidate/${datasetEdit}?size=preview`,
  );
  await auditor.screenshot({ path: testInfo.outputPath('audit-page.png') });
  await auditor.context().close();
});
