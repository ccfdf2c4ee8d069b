import { expect, test } from '@playwright/test';
import { currentItemId, importSamples } from './helpers';

// Selects and inputs share controlClass (components/ui/control.ts): keyboard focus shows buttonClass's ring (2px sky-400, offset 2px).
test('a select reached by Tab shows the focus ring buttons show', async ({ page }, info) => {
  const datasetId = importSamples('control-focus');
  await page.goto(`/review?dataset=${datasetId}`);
  await currentItemId(page);
  const select = page.getByRole('combobox', { name: 'Dataset' });
  for (let i = 0; i < 60 && !(await select.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(select).toBeFocused();
  await page.screenshot({ path: info.outputPath('focused-select.png'), clip: { x: 0, y: 0, width: 1440, height: 160 } });
  const outline = await select.evaluate((el) => {
    const style = getComputedStyle(el);
    // Tailwind's sky-400, as the browser resolves it.
    const probe = document.body.appendChild(document.createElement('span'));
    probe.style.color = 'var(--color-sky-400)';
    const sky400 = getComputedStyle(probe).color;
    probe.remove();
    return { style: style.outlineStyle, width: style.outlineWidth, offset: style.outlineOffset, isSky400: style.outlineColor === sky400 };
  });
  expect(outline).toEqual({ style: 'solid', width: '2px', offset: '2px', isSky400: true });
});
