import { expect, test } from '@playwright/test';

// Static assets: public/ is served as is, without signing in; the icon is app/icon.svg (Next's file convention).
test.use({ storageState: { cookies: [], origins: [] } });

test('robots.txt from public/ asks crawlers to stay out, without a session', async ({ request }) => {
  const response = await request.get('/robots.txt');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toContain('text/plain');
  expect(await response.text()).toContain('Disallow: /');
});

test('the sign-in page links the app icon, and it is served', async ({ page, request }) => {
  await page.goto('/login');
  const href = await page.locator('link[rel="icon"]').first().getAttribute('href');
  expect(href).toMatch(/^\/icon\.svg/);
  const icon = await request.get(href!);
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toContain('image/svg+xml');
});
