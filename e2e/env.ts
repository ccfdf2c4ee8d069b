import path from 'node:path';

export const E2E_PORT = Number(process.env.E2E_PORT || 3210);
/** The local OpenAI-compatible server the e2e app talks to; tests can steer its faults. */
export const E2E_OPENAI_PORT = Number(process.env.E2E_OPENAI_PORT || 3211);
export const E2E_DATA_DIR = path.resolve(import.meta.dirname, '..', 'data', 'e2e');
