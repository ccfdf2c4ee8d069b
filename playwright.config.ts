import fs from 'node:fs';
import { defineConfig } from '@playwright/test';
import { E2E_PORT, storageStateOf } from './e2e/env';

// Debian's Chromium where installed (CI installs it); otherwise Playwright's own browser.
const systemChromium = '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  // Tests share one server and database; each works in its own dataset, one at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? 'line' : 'list',
  use: {
    baseURL: `http://localhost:${E2E_PORT}`,
    // The API's CSRF check wants an Origin on every state change; browsers send one, API calls get this.
    extraHTTPHeaders: { Origin: `http://localhost:${E2E_PORT}` },
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: fs.existsSync(systemChromium) ? systemChromium : undefined,
      args: [
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  // The setup project signs the e2e users in; specs run as the lead unless they choose another.
  projects: [
    { name: 'setup', testMatch: /auth\.setup\.ts/ },
    { name: 'e2e', dependencies: ['setup'], use: { storageState: storageStateOf('lead') } },
  ],
  webServer: {
    command: 'node_modules/.bin/tsx e2e/serve.ts',
    url: `http://localhost:${E2E_PORT}/`,
    // The first run may build (about a minute on two cores).
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: 'pipe',
  },
});
