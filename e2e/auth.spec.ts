import { expect, test } from '@playwright/test';
import { E2E_PASSWORD, E2E_PORT, storageStateOf } from './env';

test.describe('signed out', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('pages redirect to the login page and come back after signing in; sign out ends the session', async ({ page }) => {
    await page.goto('/jobs');
    await expect(page).toHaveURL(/\/login\?next=%2Fjobs/);

    await page.getByLabel('Username').fill('ann1');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // A 401 from sign-in is the form's message, not the fetcher's redirect to the page it is on.
    await expect(page.locator('main [role=alert]')).toHaveText(/^Invalid username or password\.$/);
    await expect(page).toHaveURL(/\/login\?next=%2Fjobs$/);

    await page.getByLabel('Password').fill(E2E_PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await expect(page).toHaveURL(/\/jobs$/);
    await expect(page.getByRole('banner')).toContainText('ann1');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto('/review');
    await expect(page).toHaveURL(/\/login\?next=%2Freview/);
  });

  test('the API answers 401 without a session', async ({ request }) => {
    expect((await request.get('/api/jobs')).status()).toBe(401);
    const claim = await request.post('/api/queue/claim', { data: { holder: 'signed-out-page', filter: { datasetId: 1 } } });
    expect(claim.status()).toBe(401);
    expect((await claim.json()).error).toMatch(/sign in/);
  });
});

test.describe('a session that ends on an open page', () => {
  test('the next call sends the page to sign-in, and signing in comes back to it', async ({ page }) => {
    await page.goto('/account');
    // As if the session had expired: the page is still open, its cookie is gone.
    await page.context().clearCookies();
    await page.getByLabel('Current password').fill(E2E_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill('another-password-456');
    await page.getByLabel('Repeat new password').fill('another-password-456');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);

    await page.getByLabel('Username').fill('lead');
    await page.getByLabel('Password').fill(E2E_PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await expect(page).toHaveURL(/\/account$/);
  });
});

test.describe('roles', () => {
  test.use({ storageState: storageStateOf('ann1') });

  test('an annotator gets 403 for lead pages and routes, and cross-origin posts are refused', async ({ page, request }) => {
    const response = await page.goto('/exports');
    expect(response?.status()).toBe(403);
    await expect(page.getByRole('heading')).toContainText(/access/i);
    expect((await request.get('/api/exports')).status()).toBe(403);
    expect((await request.get('/api/jobs')).status()).toBe(200);
    const forged = await request.post('/api/queue/release', {
      data: { holder: 'some-page-id' },
      headers: { Origin: 'http://evil.example' },
    });
    expect(forged.status()).toBe(403);
    const own = await request.post('/api/queue/release', {
      data: { holder: 'some-page-id' },
      headers: { Origin: `http://localhost:${E2E_PORT}` },
    });
    expect(own.status()).toBe(200);
  });
});
