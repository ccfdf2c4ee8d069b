import path from 'node:path';

export const E2E_PORT = Number(process.env.E2E_PORT || 3210);
/** The local OpenAI-compatible server the e2e app talks to; tests can steer its faults. */
export const E2E_OPENAI_PORT = Number(process.env.E2E_OPENAI_PORT || 3211);
export const E2E_DATA_DIR = path.resolve(import.meta.dirname, '..', 'data', 'e2e');

/** Accounts serve.ts creates in the fresh e2e database, all with the same password. */
export const E2E_PASSWORD = 'e2e-password-123';
export const E2E_USERS = {
  lead: ['annotator', 'lead'],
  ann1: ['annotator'],
  ann2: ['annotator'],
  auditor: ['auditor'],
  admin: ['admin'],
} as const;
export type E2EUser = keyof typeof E2E_USERS;
/** Where the setup project keeps each user's signed-in browser state. */
export const storageStateOf = (user: E2EUser) => path.resolve(import.meta.dirname, '..', 'data', 'e2e-auth', `${user}.json`);
