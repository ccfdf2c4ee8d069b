import fs from 'node:fs';
import path from 'node:path';
import { test as setup, expect } from '@playwright/test';
import { E2E_PASSWORD, E2E_USERS, storageStateOf, type E2EUser } from './env';

// Signs every e2e user in once and keeps their cookies for the specs (storageState).
for (const user of Object.keys(E2E_USERS) as E2EUser[]) {
  setup(`sign in as ${user}`, async ({ request }) => {
    const response = await request.post('/api/auth/sign-in/username', { data: { username: user, password: E2E_PASSWORD } });
    expect(response.status()).toBe(200);
    fs.mkdirSync(path.dirname(storageStateOf(user)), { recursive: true });
    await request.storageState({ path: storageStateOf(user) });
  });
}
