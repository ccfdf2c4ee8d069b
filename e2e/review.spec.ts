import { expect, test } from '@playwright/test';
import { currentItemId, importSamples, nextItemId, readDb } from './helpers';

test('reviews by keyboard: accept, reject with reasons, skip and undo', async ({ page }) => {
  const datasetId = importSamples('keyboard');
  await page.goto(`/review?dataset=${datasetId}`);
  const progress = page.getByTestId('progress');
  await expect(progress).toContainText('0 / 12 reviewed');

  const first = await currentItemId(page);
  await page.keyboard.press('a');
  const second = await nextItemId(page, first);

  await page.keyboard.press('r');
  await expect(page.getByTestId('reject-reasons')).toBeVisible();
  await page.keyboard.press('1');
  await page.keyboard.press('3');
  await expect(page.getByRole('button', { name: /Instruction not followed/ })).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Enter');
  const third = await nextItemId(page, second);
  await expect(progress).toContainText('2 / 12 reviewed');

  await page.keyboard.press('s');
  await nextItemId(page, third);

  // Undo walks back: first the skip, then the reject.
  await page.keyboard.press('u');
  await expect(page.getByTestId('review-item')).toHaveAttribute('data-item-id', String(third));
  await page.keyboard.press('u');
  await expect(page.getByTestId('review-item')).toHaveAttribute('data-item-id', String(second));
  await expect(progress).toContainText('1 / 12 reviewed');

  const db = readDb();
  try {
    const status = (id: number) => db.prepare('SELECT status FROM items WHERE id = ?').pluck().get(id);
    expect(status(first)).toBe('accepted');
    expect(status(second)).toBe('pending');
    const log = db
      .prepare('SELECT item_id, decision, reasons, ms_spent FROM verdicts WHERE item_id IN (?, ?, ?) ORDER BY id')
      .all(first, second, third) as { item_id: number; decision: string; reasons: string; ms_spent: number }[];
    expect(log.map((v) => [v.item_id, v.decision])).toEqual([
      [first, 'accept'],
      [second, 'reject'],
      [third, 'skip'],
      [third, 'undo'],
      [second, 'undo'],
    ]);
    expect(JSON.parse(log[1].reasons)).toEqual(['instruction_not_followed', 'identity_changed']);
    expect(log[0].ms_spent).toBeGreaterThan(0);
  } finally {
    db.close();
  }
});

test('shows the instruction diff, and the verdict applies to the chosen or edited version', async ({ page }) => {
  const datasetId = importSamples('diff');
  await page.goto(`/review?dataset=${datasetId}&family=omniedit&task=style`);
  await expect(page.getByTestId('progress')).toContainText('0 / 1 reviewed');
  const diff = page.getByTestId('instruction-diff');
  await expect(diff.locator('ins')).toContainText(['Apply']);
  await expect(diff.locator('del').first()).toContainText('Make it');
  await expect(page.getByTestId('instruction')).toHaveText('Apply a posterized pop-art look with bold, saturated flat colors.');

  // v chooses the original version for the verdict.
  await page.keyboard.press('v');
  await expect(page.getByTestId('instruction')).toHaveText('Make it a pop art piece.');

  // e edits the instruction; Enter saves it as a new human version, chosen for the verdict.
  await page.keyboard.press('e');
  const editor = page.getByRole('textbox', { name: 'Edit instruction' });
  await editor.fill('Turn the photo into a bold pop-art poster with flat colors.');
  await editor.press('Enter');
  await expect(page.getByTestId('instruction')).toHaveText('Turn the photo into a bold pop-art poster with flat colors.');
  await expect(page.getByText('Human edit')).toBeVisible();

  const itemId = await currentItemId(page);
  await page.keyboard.press('a');
  await expect(page.getByTestId('queue-empty')).toBeVisible();
  // The page moves on at once; the progress counts the verdict once the server has it.
  await expect(page.getByTestId('progress')).toContainText('1 / 1 reviewed');

  const db = readDb();
  try {
    const chosen = db
      .prepare(
        `SELECT iv.kind, iv.text FROM verdicts v JOIN instruction_versions iv ON iv.id = v.instruction_version_id
         WHERE v.item_id = ? AND v.decision = 'accept'`,
      )
      .get(itemId);
    expect(chosen).toEqual({ kind: 'human', text: 'Turn the photo into a bold pop-art poster with flat colors.' });
  } finally {
    db.close();
  }
});

test('two browser contexts never hold the same item', async ({ browser }) => {
  const datasetId = importSamples('two');
  const [a, b] = await Promise.all([browser.newContext(), browser.newContext()]);
  const [pageA, pageB] = await Promise.all([a.newPage(), b.newPage()]);
  await pageA.goto(`/review?dataset=${datasetId}`);
  const firstA = await currentItemId(pageA);
  await pageB.goto(`/review?dataset=${datasetId}`);
  const firstB = await currentItemId(pageB);
  expect(firstB).not.toBe(firstA);

  // Deciding in turns, every item either page shows is one the other never shows.
  const seen = { a: [firstA], b: [firstB] };
  for (let round = 0; round < 4; round++) {
    await pageA.keyboard.press('a');
    seen.a.push(await nextItemId(pageA, seen.a.at(-1)!));
    await pageB.keyboard.press('r');
    await pageB.keyboard.press('Enter');
    seen.b.push(await nextItemId(pageB, seen.b.at(-1)!));
  }
  expect(seen.a.filter((id) => seen.b.includes(id))).toEqual([]);

  const db = readDb();
  try {
    // Each page holds its own lookahead; no item is held twice and no held item is decided.
    const leases = db
      .prepare(`SELECT id, lease_holder, status FROM items WHERE dataset_id = ? AND lease_holder IS NOT NULL`)
      .all(datasetId) as { id: number; lease_holder: string; status: string }[];
    expect(new Set(leases.map((l) => l.lease_holder)).size).toBe(2);
    expect(leases.every((l) => l.status === 'pending')).toBe(true);
    expect(leases.map((l) => l.id)).toContain(seen.a.at(-1));
    expect(leases.map((l) => l.id)).toContain(seen.b.at(-1));
  } finally {
    db.close();
  }
  await Promise.all([a.close(), b.close()]);
});

test('inspect mode zooms both panes together and offers swipe and difference views', async ({ page }) => {
  const datasetId = importSamples('inspect');
  await page.goto(`/review?dataset=${datasetId}`);
  await currentItemId(page);
  await page.keyboard.press('i');
  const inspect = page.getByTestId('inspect-side');
  await expect(inspect).toBeVisible();
  const panes = inspect.locator('.react-transform-component');
  await expect(panes).toHaveCount(2);
  await panes.first().hover();
  await page.mouse.wheel(0, -400);
  await expect.poll(async () => panes.first().evaluate((el) => getComputedStyle(el).transform)).not.toBe('none');
  await expect
    .poll(async () => {
      const [left, right] = await panes.evaluateAll((els) => els.map((el) => getComputedStyle(el).transform));
      return left === right && left !== 'matrix(1, 0, 0, 1, 0, 0)';
    })
    .toBe(true);

  await page.keyboard.press('x');
  await expect(page.getByTestId('inspect-swipe')).toBeVisible();
  await expect(page.getByRole('slider', { name: 'Swipe position' })).toHaveValue('50');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('slider', { name: 'Swipe position' })).toHaveValue('55');
  await page.keyboard.press('d');
  await expect(page.getByTestId('inspect-difference')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('review-item').locator('img')).toHaveCount(2);
});
