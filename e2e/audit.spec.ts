import { expect, test } from '@playwright/test';
import { apiAs, importSamples, pageAs, readDb } from './helpers';

test('a lead starts an audit campaign, an auditor scores every sample by keyboard, the lead reads the report', async ({
  browser,
  page,
  request,
  playwright,
}, testInfo) => {
  const datasetId = importSamples('audit'); // 12 items in 11 family/task strata
  const name = `Spot check ${Date.now()}`;

  // The lead creates a campaign in the UI: every item, one per stratum, blind.
  await page.goto('/audits');
  await page.getByRole('button', { name: 'New campaign' }).click();
  await page.getByLabel('Campaign name').fill(name);
  await page.getByLabel('Dataset').selectOption(String(datasetId));
  await page.getByLabel('Any items matching a filter').check();
  await page.getByLabel('Items per stratum').fill('1');
  await expect(page.getByLabel('Blind')).toBeChecked();
  const preview = page.getByTestId('campaign-preview');
  await expect(preview).toContainText('11 samples from 12 items in 11 strata');
  await expect(page.getByTestId('preview-stratum')).toHaveCount(11);
  await expect(page.getByTestId('preview-stratum').filter({ hasText: 'hqedit/edit' })).toContainText(/2\s*1/);
  await page.screenshot({ path: testInfo.outputPath('new-campaign.png'), fullPage: true });
  await page.getByRole('button', { name: 'Create campaign' }).click();
  await expect(page.getByRole('status')).toContainText(`Created “${name}”: 11 samples of 12 items`);
  const row = page.getByTestId('campaign-row').filter({ hasText: name });
  await expect(row.getByTestId('campaign-progress')).toContainText('0 / 11 audited');
  const campaignId = Number(await row.getAttribute('data-campaign-id'));
  expect(campaignId).toBeGreaterThan(0);

  // Auditors may not create campaigns.
  const asAuditor = await apiAs(playwright, 'auditor');
  const refused = await asAuditor.post('/api/audits', {
    data: { name: 'x', datasetId, population: { kind: 'filter' }, sampling: { mode: 'fixed', perStratum: 1 } },
  });
  expect(refused.status()).toBe(403);
  await asAuditor.dispose();

  // The auditor scores every sample by keyboard: three digits (the scale moves on by itself), then Enter or f.
  const auditor = await pageAs(browser, 'auditor');
  await auditor.goto(`/audits/${campaignId}`);
  const item = auditor.getByTestId('audit-item');
  await expect(item).toBeVisible();
  await expect(auditor.getByTestId('audit-progress')).toContainText('0 / 11 audited');
  // Blind: nothing of the reviewers' verdicts.
  await expect(auditor.getByTestId('audit-verdicts')).toHaveCount(0);

  // Pass needs all three scores.
  await auditor.keyboard.press('Enter');
  await expect(auditor.getByTestId('audit-error')).toContainText('Score instruction following first');
  await auditor.keyboard.press('?');
  await expect(auditor.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await auditor.keyboard.press('Escape');
  await expect(auditor.getByRole('dialog')).toHaveCount(0);

  const seen = new Set<number>();
  for (let n = 0; n < 11; n++) {
    await expect(item).toBeVisible();
    const itemId = Number(await item.getAttribute('data-item-id'));
    expect(seen.has(itemId)).toBe(false);
    seen.add(itemId);
    const fail = n % 4 === 0; // samples 1, 5 and 9 fail
    await auditor.keyboard.press(fail ? '3' : '8');
    await auditor.keyboard.press('9');
    if (n === 0) {
      // Keys select a scale: back to instruction following, one point up with the arrow.
      await auditor.keyboard.press('i');
      await auditor.keyboard.press('ArrowRight');
      await expect(auditor.getByTestId('rubric-instructionFollowing')).toHaveAttribute('data-score', '4');
      await auditor.keyboard.press('q');
    }
    await auditor.keyboard.press(fail ? '2' : 't');
    await expect(auditor.getByTestId('rubric-identityPreservation')).toHaveAttribute('data-score', '9');
    await expect(auditor.getByTestId('rubric-visualQuality')).toHaveAttribute('data-score', fail ? '2' : '10');
    if (n === 0) await auditor.screenshot({ path: testInfo.outputPath('audit.png') });
    await auditor.keyboard.press(fail ? 'f' : 'Enter');
    if (n < 10) await expect(item).not.toHaveAttribute('data-item-id', String(itemId));
  }
  await expect(auditor.getByTestId('audit-done')).toBeVisible();
  await expect(auditor.getByTestId('audit-progress')).toContainText('11 / 11 audited · 11 by you');
  await auditor.context().close();

  const db = readDb();
  try {
    const results = db
      .prepare(
        'SELECT u.username AS auditor, pass, instruction_following, identity_preservation, visual_quality, ms_spent FROM audit_results r JOIN users u ON u.id = r.auditor WHERE campaign_id = ?',
      )
      .all(campaignId) as {
      auditor: string;
      pass: number;
      instruction_following: number;
      identity_preservation: number;
      visual_quality: number;
      ms_spent: number;
    }[];
    expect(results).toHaveLength(11);
    expect(results.every((r) => r.auditor === 'auditor' && r.identity_preservation === 9 && r.ms_spent >= 0)).toBe(true);
    expect(results.filter((r) => r.pass === 0)).toHaveLength(3);
    expect(results.filter((r) => r.pass === 0).every((r) => r.visual_quality === 2)).toBe(true);
  } finally {
    db.close();
  }

  // The lead's report: the weighted pass rate with its interval, one row per stratum.
  const json = await (await request.get(`/api/audits/${campaignId}/report`)).json();
  expect(json.progress).toEqual({ audited: 11, sampled: 11 });
  expect(json.overall.passes).toBe(8);
  await page.goto(`/audits/${campaignId}/report`);
  const overall = page.getByTestId('report-overall');
  await expect(overall).toContainText(`${(json.overall.weighted.estimate * 100).toFixed(1)}%`);
  await expect(overall).toContainText('95% CI');
  await expect(overall).toContainText('n = 11');
  await expect(page.getByTestId('report-stratum')).toHaveCount(11);
  await expect(page.getByTestId('report-stratum').filter({ hasText: 'hqedit/edit' })).toContainText(/^hqedit\/edit\s*2\s*1\s*1/);
  await expect(page.getByTestId('pass-rate-chart')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('report.png'), fullPage: true });

  // Downloads: the CSV link, and the file itself.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^audit-${campaignId}-spot-check-\\d+\\.csv$`));
  const csv = await request.get(`/api/audits/${campaignId}/report?format=csv`);
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toContain('text/csv');
  expect(csv.headers()['content-disposition']).toContain('attachment');
  const lines = (await csv.text()).trimEnd().split('\n');
  expect(lines[0]).toMatch(/^stratum,population,sampled,audited,passes,pass_rate/);
  expect(lines).toHaveLength(13);
  expect(lines.at(-1)).toMatch(/^overall,12,11,11,8,/);

  // Closing it ends the auditing; the list shows it with its pass rate.
  expect((await request.post(`/api/audits/${campaignId}/close`)).status()).toBe(200);
  await page.goto('/audits');
  await expect(row.getByTestId('campaign-progress')).toContainText('11 / 11 audited');
  await expect(row.getByTestId('campaign-pass-rate')).toContainText(`${(json.overall.weighted.estimate * 100).toFixed(1)}%`);
  await expect(row).toContainText('closed');
});
