import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { currentItemId, importSamples, loupe, nextItemId, readDb } from './helpers';

test('what is accepted in the browser exports, and the export imports back unchanged', async ({ page }) => {
  const datasetId = importSamples('roundtrip');
  const db = readDb();
  const name = db.prepare('SELECT name FROM datasets WHERE id = ?').pluck().get(datasetId) as string;
  db.close();

  // The rewritten item, accepted with its original wording.
  await page.goto(`/review?dataset=${datasetId}&family=omniedit&task=style`);
  await currentItemId(page);
  await page.keyboard.press('v');
  await expect(page.getByTestId('instruction')).toHaveText('Make it a pop art piece.');
  await page.keyboard.press('a');
  await expect(page.getByTestId('queue-empty')).toBeVisible();
  await expect(page.getByTestId('progress')).toContainText('1 / 1 reviewed');

  // Two HQ-Edit items: accept one, reject the other.
  await page.goto(`/review?dataset=${datasetId}&family=hqedit&task=edit`);
  const accepted = await currentItemId(page);
  await page.keyboard.press('a');
  const rejected = await nextItemId(page, accepted);
  await page.keyboard.press('r');
  await page.keyboard.press('2');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('queue-empty')).toBeVisible();
  await expect(page.getByTestId('progress')).toContainText('2 / 2 reviewed');

  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-e2e-export-'));
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-e2e-fresh-'));
  try {
    const exported = loupe(['export', '--out', out, '--dataset', name]);
    expect(exported).toMatchObject({ items: 2, skipped: 0 });
    const style = JSON.parse(fs.readFileSync(path.join(out, 'omniedit/style/metadata/omniedit_style.json'), 'utf8'));
    expect(style).toEqual([
      {
        id: 'omniedit_style_00000004',
        dataset_source: 'omniedit',
        task: 'style',
        input: 'input/00000004.png',
        output: 'output/00000004.png',
        instruction: 'Make it a pop art piece.',
        instruction_type: 'original',
        input_description: 'A cup of coffee with latte art on a saucer.',
      },
    ]);
    const hq = JSON.parse(fs.readFileSync(path.join(out, 'hqedit/edit/metadata/hqedit_edit.json'), 'utf8'));
    expect(hq.map((r: { id: string }) => r.id)).toEqual(['hqedit_edit_00000001']);
    expect(fs.readFileSync(path.join(out, 'hqedit/edit/output/00000001.png'))).toEqual(
      fs.readFileSync(path.resolve('samples/gpt-edit/hqedit/edit/output/00000001.png')),
    );

    const reimported = loupe(['import', out, '--dataset', 'reimported'], fresh);
    expect(reimported).toMatchObject({ imported: 2, skipped: 0 });
    const back = readDb(fresh);
    try {
      const rows = back
        .prepare(
          `SELECT i.external_id, i.family, i.task, i.instruction_type, i.source_width, iv.kind, iv.text
           FROM items i JOIN instruction_versions iv ON iv.id = i.current_instruction_id ORDER BY i.external_id`,
        )
        .all();
      expect(rows).toEqual([
        {
          external_id: 'hqedit_edit_00000001',
          family: 'hqedit',
          task: 'edit',
          instruction_type: 'original',
          source_width: 512,
          kind: 'original',
          text: 'Make the photo look like an old sepia-toned print.',
        },
        {
          external_id: 'omniedit_style_00000004',
          family: 'omniedit',
          task: 'style',
          instruction_type: 'original',
          source_width: 600,
          kind: 'original',
          text: 'Make it a pop art piece.',
        },
      ]);
    } finally {
      back.close();
    }
    expect(rejected).not.toBe(accepted);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(fresh, { recursive: true, force: true });
  }
});
