import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { currentItemId, importSamples, loupe, readDb } from './helpers';

test('regenerate from the review page, then accept the new candidate and export it', async ({ page, request }) => {
  const datasetId = importSamples('regenerate');
  await page.goto(`/review?dataset=${datasetId}&family=omniedit&task=style`);
  const itemId = await currentItemId(page);

  // g queues the regeneration and moves on; the item leaves this page while its job runs.
  await page.keyboard.press('g');
  await expect(page.getByRole('status')).toContainText('Regeneration of omniedit_style_00000004 queued');
  await expect(page.getByTestId('queue-empty')).toBeVisible();

  // The in-server worker runs it against the local OpenAI-compatible server; the item comes back.
  await expect(page.getByTestId('review-item')).toHaveAttribute('data-item-id', String(itemId), { timeout: 30_000 });
  const candidates = page.getByTestId('candidates').getByRole('radio');
  await expect(candidates).toHaveCount(2);
  await expect(candidates.nth(1)).toHaveAttribute('aria-checked', 'true');
  await expect(candidates.nth(1)).toContainText('simulated');
  await expect(candidates.nth(1)).toHaveAttribute('title', /gpt-image-1 · high · 1536x1024/);
  await expect(page.getByTestId('item-jobs')).toContainText('Regeneration succeeded');
  await expect(page.getByTestId('edited-size')).toHaveText('600 × 400');

  const db = readDb();
  const candidate = db
    .prepare(`SELECT id, origin, job_id, simulated, width, height, provenance FROM candidates WHERE item_id = ? AND origin = 'regenerated'`)
    .get(itemId) as { id: number; job_id: number; simulated: number; width: number; height: number; provenance: string };
  // Who asked is recorded by user id (it survives a rename).
  const leadId = db.prepare(`SELECT id FROM users WHERE username = 'lead'`).pluck().get();
  db.close();
  expect(candidate).toMatchObject({ simulated: 1, width: 600, height: 400 });
  const provenance = JSON.parse(candidate.provenance);
  expect(provenance).toMatchObject({ model: 'gpt-image-1', size: '1536x1024', quality: 'high', requestedBy: leadId });
  expect(provenance.paddingBox).toEqual({ left: 0, top: 0, width: 1536, height: 1024 });
  expect(provenance.requestId).toMatch(/^req_/);
  expect(provenance.costUsd).toBeGreaterThan(0);

  // Accept applies to the chosen (regenerated) candidate; the export carries its image.
  await page.keyboard.press('a');
  await expect(page.getByTestId('queue-empty')).toBeVisible();
  await expect(page.getByTestId('progress')).toContainText('1 / 1 reviewed');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-e2e-regen-'));
  try {
    const datasetName = readDb().prepare('SELECT name FROM datasets WHERE id = ?').pluck().get(datasetId) as string;
    expect(loupe(['export', '--out', out, '--dataset', datasetName])).toMatchObject({ items: 1 });
    const [record] = JSON.parse(fs.readFileSync(path.join(out, 'omniedit/style/metadata/omniedit_style.json'), 'utf8'));
    expect(record.output).toMatch(/^output\/[0-9a-f]{64}\.png$/); // the content-addressed name
    expect(record.input).toBe('input/00000004.png');
    const exported = fs.readFileSync(path.join(out, 'omniedit/style', record.output));
    const served = await (await request.get(`/api/images/candidate/${candidate.id}?size=full`)).body();
    expect(exported.equals(served)).toBe(true);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('a rewrite adds a rewrite version the reviewer sees with its diff', async ({ page }) => {
  const datasetId = importSamples('rewrite');
  await page.goto(`/review?dataset=${datasetId}&family=ultraedit&task=transform_global`);
  const itemId = await currentItemId(page);
  await page.keyboard.press('w');
  await expect(page.getByRole('status')).toContainText('Instruction rewrite');
  await expect(page.getByTestId('review-item')).toHaveAttribute('data-item-id', String(itemId), { timeout: 30_000 });
  // Both versions are listed; the rewrite is current and is what the verdict applies to.
  const versions = page.getByRole('radiogroup', { name: 'Instruction version the verdict applies to' }).getByRole('radio');
  await expect(versions).toHaveCount(2);
  await expect(versions.nth(1)).toBeChecked();
  const db = readDb();
  try {
    const rows = db
      .prepare(
        `SELECT kind, text, iv.id = i.current_instruction_id AS current FROM instruction_versions iv
         JOIN items i ON i.id = iv.item_id WHERE iv.item_id = ? ORDER BY iv.id`,
      )
      .all(itemId) as { kind: string; text: string; current: number }[];
    expect(rows.map((r) => [r.kind, r.current])).toEqual([
      ['original', 0],
      ['rewrite', 1],
    ]);
    // The local server reads the pixels: the sample's edit is a horizontal flip.
    expect(rows[1].text).toMatch(/flip/i);
    await expect(page.getByTestId('instruction')).toHaveText(rows[1].text);
  } finally {
    db.close();
  }
});
